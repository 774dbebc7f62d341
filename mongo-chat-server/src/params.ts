/**
 * The zod schemas for path parameters and query strings. Query values arrive
 * as strings; anything that is not exactly the expected text (an array from a
 * repeated key, an operator object, "1e3", "") is refused with 400.
 */
import { z } from 'zod';
import { LIMITS } from '@chat/shared';

export const UP_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export const upSchema = z.string().regex(UP_PATTERN, `must be 1 to ${LIMITS.up} letters, digits, '_' or '-'`);
export const objectIdSchema = z.string().regex(/^[0-9a-fA-F]{24}$/, 'must be a 24-hex-digit id')
  .transform((s) => s.toLowerCase());

const wholeNumber = (min: number, max: number) => z.string()
  .regex(/^\d{1,9}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(min).max(max));

export const DEFAULT_PAGE_SIZE = 50;

export const pageQuery = {
  page: wholeNumber(0, 1_000_000).default(0),
  perPage: wholeNumber(1, LIMITS.pageSize).default(DEFAULT_PAGE_SIZE),
};
export const offsetQuerySchema = z.strictObject(pageQuery);

export const cursorQuerySchema = z.strictObject({
  before: wholeNumber(1, Number.MAX_SAFE_INTEGER).optional(),
  after: wholeNumber(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: wholeNumber(1, LIMITS.pageSize).default(DEFAULT_PAGE_SIZE),
}).refine((q) => q.before === undefined || q.after === undefined, { message: 'give before or after, not both' });

/** `ups=1,2,3`: one page of user numbers in a query string. */
export const upsQuery = z.string().max(LIMITS.pageSize * (LIMITS.up + 1))
  .transform((s) => s.split(',').filter((up) => up.length > 0))
  .pipe(z.array(upSchema).min(1).max(LIMITS.pageSize));

export const idParamsSchema = z.strictObject({ id: objectIdSchema });
export const upParamsSchema = z.strictObject({ up: upSchema });
export const groupMemberParamsSchema = z.strictObject({ id: objectIdSchema, up: upSchema });

export type OffsetQuery = z.infer<typeof offsetQuerySchema>;
