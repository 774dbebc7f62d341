/**
 * One HTTP exchange with the data service: internal token, JSON, a timeout,
 * keep-alive (Node's fetch pools connections), and its answers mapped onto the
 * shared error shape. A network failure is UNAVAILABLE, never a false success.
 * At most `maxConcurrent` calls are in flight; the rest queue, and the timeout
 * counts the wait, so a burst degrades into a queue, not into a pile-up of
 * calls the data service keeps working on after we stopped waiting.
 */
import type { z } from 'zod';
import { AppError, errorCodeForStatus, isErrorCode } from '@chat/shared';
import { errorBodySchema } from '@chat/contract';
import { createConcurrencyLimit } from '../concurrency';

export interface DataHttpOptions {
  baseUrl: string;
  internalToken: string;
  timeoutMs?: number;
  /** Calls in flight at once (default 32). */
  maxConcurrent?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /**
   * A 401 from the data service normally means our internal token is wrong (a
   * server fault); on login it means a wrong password and belongs to the user.
   */
  userCredentials?: boolean;
}

export type DataRequest = <S extends z.ZodType | null>(
  method: string,
  path: string,
  schema: S,
  options?: RequestOptions,
) => Promise<S extends z.ZodType ? z.infer<S> : undefined>;

const queryString = (query: RequestOptions['query']): string => {
  if (!query) return '';
  const params = new URLSearchParams();
  Object.entries(query).forEach(([key, value]) => {
    if (value !== undefined) params.set(key, String(value));
  });
  const text = params.toString();
  return text ? `?${text}` : '';
};

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function errorFrom(status: number, body: unknown, options: RequestOptions): AppError {
  const parsed = errorBodySchema.safeParse(body);
  const code = parsed.success && isErrorCode(parsed.data.error.code)
    ? parsed.data.error.code : errorCodeForStatus(status);
  const message = parsed.success ? parsed.data.error.message : `data service answered ${status}`;
  if (code === 'UNAUTHORIZED' && !options.userCredentials) {
    return new AppError('INTERNAL', 'the data service refused this server (check INTERNAL_TOKEN)');
  }
  if (code === 'INTERNAL') return new AppError('UNAVAILABLE', 'the data service failed; retry later');
  return new AppError(code, message);
}

export function createDataRequest(options: DataHttpOptions): DataRequest {
  const timeoutMs = options.timeoutMs ?? 10000;
  const limit = createConcurrencyLimit(options.maxConcurrent ?? 32);
  const exchange = async (
    method: string,
    path: string,
    schema: z.ZodType | null,
    opts: RequestOptions,
    signal: AbortSignal,
  ): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(`${options.baseUrl}${path}${queryString(opts.query)}`, {
        method,
        headers: {
          'x-internal-token': options.internalToken,
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal,
      });
    } catch {
      throw new AppError('UNAVAILABLE', 'the data service is unreachable; retry later');
    }
    let body: unknown;
    try {
      body = await readJson(res);
    } catch {
      throw new AppError('UNAVAILABLE', 'the data service connection failed; retry later');
    }
    if (!res.ok) throw errorFrom(res.status, body, opts);
    if (schema === null) return undefined;
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new AppError('INTERNAL', `the data service answered ${method} ${path.split('?')[0]} unexpectedly`);
    return parsed.data;
  };
  const request = (method: string, path: string, schema: z.ZodType | null, opts: RequestOptions = {}) => {
    const signal = AbortSignal.timeout(timeoutMs);
    return limit.run(() => exchange(method, path, schema, opts, signal), signal);
  };
  return request as DataRequest;
}
