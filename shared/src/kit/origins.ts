/**
 * The browser-origin allow-list, one rule for every service (REST and the
 * Socket.IO handshake): the origins listed in CORS_ORIGINS; none listed means
 * nobody in production and local pages in development.
 *
 * On REST, CORS alone only hides the answer from a foreign page; the request
 * still runs. A browser always names the page's origin on a cross-origin call,
 * so a call whose Origin is not allowed is refused before it does anything.
 * Calls without an Origin (curl, apps, servers: nothing a foreign page can make
 * a browser send) and calls from the service's own pages (its /docs) pass.
 */
import type { Request, RequestHandler } from 'express';
import { AppError } from '@chat/contract';

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

const sameOrigin = (origin: string, req: Request): boolean => {
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
};

/** 403 FORBIDDEN for a browser call from a page whose origin is not allowed. */
export function refuseForeignOrigins(policy: OriginPolicy): RequestHandler {
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin === undefined || originAllowed(policy, origin) || sameOrigin(origin, req)) {
      next();
      return;
    }
    next(new AppError('FORBIDDEN', 'this origin is not allowed to call the API (see CORS_ORIGINS)'));
  };
}
