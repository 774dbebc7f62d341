/**
 * JSON over HTTP to another of our services: the internal token, a JSON body,
 * a timeout, and a lenient read of the answer. Calls go through undici's
 * `request` over one keep-alive pool per client: Node's own `fetch` (undici
 * behind WHATWG streams) cost about four times the CPU per call, measured on
 * the chat servers' busiest path (the send batches). The pool drops an idle
 * connection after 30 s, long before the services' servers do (see listen.ts),
 * so a pooled connection is not closed under a call. A network failure is
 * UNAVAILABLE, never a false success; what a status means is the caller's to
 * say.
 */
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
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

/** Idle pooled connections close after this long, well before the servers' keep-alive (65 s) ends. */
const POOL_IDLE_MS = 30000;

/**
 * A signal that aborts after `ms`, and a way to stop its timer once the call is over (`AbortSignal.timeout` keeps
 * its timer and builds an error when it fires, long after a call that took milliseconds).
 */
export function deadline(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

export function createJsonClient(options: JsonClientOptions): JsonClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const pool = new Agent({ keepAliveTimeout: POOL_IDLE_MS });
  return async (method, path, call = {}) => {
    const own = call.signal ? undefined : deadline(options.timeoutMs);
    const signal = call.signal ?? own?.signal;
    try {
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(`${baseUrl}${path}${queryString(call.query)}`, {
          method: method as Dispatcher.HttpMethod,
          headers: {
            'x-internal-token': options.internalToken,
            ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
          signal,
          dispatcher: pool,
        });
      } catch {
        throw new AppError('UNAVAILABLE', `the ${options.name} is unreachable; retry later`);
      }
      let text: string;
      try {
        text = await res.body.text();
      } catch {
        throw new AppError('UNAVAILABLE', `the ${options.name} connection failed; retry later`);
      }
      return { status: res.statusCode, ok: res.statusCode >= 200 && res.statusCode < 300, body: parseLenient(text) };
    } finally {
      own?.clear();
    }
  };
}
