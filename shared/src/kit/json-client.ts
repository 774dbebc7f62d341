/**
 * JSON over HTTP to another of our services: the internal token, a JSON body,
 * a timeout, and a lenient read of the answer. Node's fetch keeps connections
 * alive and pools them per origin; the services' servers outlive its idle
 * timeout (see listen.ts), so a pooled connection is not closed under a call.
 * A network failure is UNAVAILABLE, never a false success; what a status means
 * is the caller's to say.
 */
import { AppError } from '@chat/contract';

export interface JsonClientOptions {
  baseUrl: string;
  internalToken: string;
  /** Names the service in errors: "the <name> is unreachable". */
  name: string;
  timeoutMs: number;
}

export type Query = Record<string, string | number | undefined>;

export interface JsonCall {
  query?: Query;
  body?: unknown;
  /** Defaults to a timeout of `timeoutMs` from now. */
  signal?: AbortSignal;
}

export interface JsonReply {
  status: number;
  ok: boolean;
  /** The parsed body; undefined when empty or not JSON. */
  body: unknown;
}

export type JsonClient = (method: string, path: string, call?: JsonCall) => Promise<JsonReply>;

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  Object.entries(query).forEach(([key, value]) => {
    if (value !== undefined) params.set(key, String(value));
  });
  const text = params.toString();
  return text ? `?${text}` : '';
}

const parseLenient = (text: string): unknown => {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

export function createJsonClient(options: JsonClientOptions): JsonClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  return async (method, path, call = {}) => {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}${queryString(call.query)}`, {
        method,
        headers: {
          'x-internal-token': options.internalToken,
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: call.signal ?? AbortSignal.timeout(options.timeoutMs),
      });
    } catch {
      throw new AppError('UNAVAILABLE', `the ${options.name} is unreachable; retry later`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch {
      throw new AppError('UNAVAILABLE', `the ${options.name} connection failed; retry later`);
    }
    return { status: res.status, ok: res.ok, body: parseLenient(text) };
  };
}
