import { ApiError, errorFromBody } from './api-error';

export interface RequestOptions {
  token?: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Gives up after this long (the backend may hang while a server restarts). */
  timeoutMs?: number;
}

const withQuery = (url: string, query: RequestOptions['query']) => {
  const params = new URLSearchParams();
  Object.entries(query ?? {}).forEach(([key, value]) => {
    if (value !== undefined) params.set(key, String(value));
  });
  const text = params.toString();
  return text ? `${url}?${text}` : url;
};

const readJson = async (res: Response): Promise<unknown> => {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** One JSON call; resolves the parsed body (undefined for 204) or rejects with an ApiError. */
export async function requestJson(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(withQuery(`${baseUrl}${path}`, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15000),
    });
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    throw new ApiError('NETWORK', timedOut ? `no answer from ${baseUrl}` : `cannot reach ${baseUrl}`);
  }
  const body = await readJson(res);
  if (!res.ok) throw errorFromBody(res.status, body);
  return body;
}

/** The current access token, and a way to get a new one when it is refused. */
export interface TokenSource {
  current(): string;
  /** Renews the access token (with the refresh token); false when that is no longer possible. */
  renew(): Promise<boolean>;
}

/**
 * Runs `call` with the current token; on a 401 it renews the token once and
 * runs it again, so an expired access token never reaches the person.
 */
export async function withRenewal<T>(tokens: TokenSource, call: (token: string) => Promise<T>): Promise<T> {
  const token = tokens.current();
  try {
    return await call(token);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'UNAUTHORIZED') throw err;
    // Another call may have renewed meanwhile: then just try again with the new token.
    if (tokens.current() === token && !(await tokens.renew())) throw err;
    return call(tokens.current());
  }
}
