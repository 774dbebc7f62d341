/**
 * Where the backend lives. `config.js` (written by whoever serves the page) sets
 * `window.CHAT_CONFIG`; failing that the `?dispatcher=` / `?api=` query
 * parameters; failing that the local defaults of `npm start`.
 */
export interface ClientConfig {
  /** The dispatcher: answers GET /chat/location. */
  dispatcherUrl: string;
  /** A chat server: answers /auth/* (and /chat/* until the socket is placed). */
  apiUrl: string;
}

export const DEFAULT_CONFIG: ClientConfig = {
  dispatcherUrl: 'http://localhost:5000',
  apiUrl: 'http://localhost:4000',
};

/** An absolute http(s) URL without its trailing slash, or undefined when `value` is not one. */
export function normalizeBaseUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    const url = new URL(value.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.href.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

const field = (source: unknown, name: keyof ClientConfig): unknown => (
  typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[name] : undefined
);

export function resolveConfig(windowConfig: unknown, search: string): ClientConfig {
  const query = new URLSearchParams(search);
  return {
    dispatcherUrl: normalizeBaseUrl(field(windowConfig, 'dispatcherUrl'))
      ?? normalizeBaseUrl(query.get('dispatcher'))
      ?? DEFAULT_CONFIG.dispatcherUrl,
    apiUrl: normalizeBaseUrl(field(windowConfig, 'apiUrl'))
      ?? normalizeBaseUrl(query.get('api'))
      ?? DEFAULT_CONFIG.apiUrl,
  };
}
