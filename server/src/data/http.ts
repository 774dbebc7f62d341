/**
 * One exchange with the data service over the kit's JSON client (internal
 * token, timeout, keep-alive), its answers mapped onto the shared error shape.
 * At most `maxConcurrent` calls are in flight; the rest queue, and the timeout
 * counts the wait, so a burst degrades into a queue, not into a pile-up of
 * calls the data service keeps working on after we stopped waiting.
 */
import type { z } from 'zod';
import {
  AppError, createJsonClient, deadline, errorCodeForStatus, isErrorCode,
} from '@chat/shared';
import type { Query } from '@chat/shared';
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
  query?: Query;
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
  const call = createJsonClient({
    baseUrl: options.baseUrl, internalToken: options.internalToken, name: 'data service', timeoutMs,
  });
  const exchange = async (
    method: string,
    path: string,
    schema: z.ZodType | null,
    opts: RequestOptions,
    signal: AbortSignal,
  ): Promise<unknown> => {
    const reply = await call(method, path, { query: opts.query, body: opts.body, signal });
    if (!reply.ok) throw errorFrom(reply.status, reply.body, opts);
    if (schema === null) return undefined;
    const parsed = schema.safeParse(reply.body);
    if (!parsed.success) throw new AppError('INTERNAL', `the data service answered ${method} ${path.split('?')[0]} unexpectedly`);
    return parsed.data;
  };
  const request = async (method: string, path: string, schema: z.ZodType | null, opts: RequestOptions = {}) => {
    const { signal, clear } = deadline(timeoutMs);
    try {
      return await limit.run(() => exchange(method, path, schema, opts, signal), signal);
    } finally {
      clear();
    }
  };
  return request as DataRequest;
}
