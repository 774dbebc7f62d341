/**
 * The browser-origin allow-list, one rule for every service (REST CORS, the
 * Socket.IO handshake): the origins listed in CORS_ORIGINS; none listed means
 * nobody in production and local pages in development.
 */
export interface OriginPolicy {
  /** Exact origins allowed; null = any http://localhost:* or http://127.0.0.1:* origin. */
  corsOrigins: string[] | null;
}

const DEV_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/;

/** CORS_ORIGINS (comma-separated) → the allow-list. */
export function parseOrigins(listed: string | undefined, production: boolean): string[] | null {
  const origins = listed?.split(',').map((o) => o.trim()).filter((o) => o.length > 0) ?? [];
  if (origins.length > 0) return origins;
  return production ? [] : null;
}

export function originAllowed(policy: OriginPolicy, origin: string | undefined): boolean {
  // Non-browser clients send no Origin; CORS cannot protect them anyway, the token does.
  if (!origin) return true;
  if (policy.corsOrigins === null) return DEV_ORIGIN.test(origin);
  return policy.corsOrigins.includes(origin);
}
