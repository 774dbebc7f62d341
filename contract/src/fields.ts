/**
 * The values REST requests carry, each checked one way for every service.
 * Query and path values arrive as text: anything that is not exactly the
 * expected text (an array from a repeated key, an operator object, "1e3", "")
 * is refused.
 */
import { z } from 'zod';
import { LIMITS } from './limits';
import { textField } from './text';

export const UP_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
export const OBJECT_ID_PATTERN = /^[0-9a-fA-F]{24}$/;
export const SERVER_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const SUFFIX_PATTERN = /^[0-9]{1,10}$/;

/** A user number, as a request names it. */
export const upField = z.string()
  .regex(UP_PATTERN, `must be 1 to ${LIMITS.up} letters, digits, '_' or '-'`)
  .max(LIMITS.up)
  .meta({ description: "A user number (the seed's UP number)." });

export const usernameField = z.string()
  .regex(USERNAME_PATTERN, `must be 1 to ${LIMITS.username} letters, digits, '_', '.' or '-'`);

/** A group or message id; upper-case hex is accepted and read as lower case. */
export const objectIdField = z.string()
  .regex(OBJECT_ID_PATTERN, 'must be a 24-hex-digit id')
  .length(24)
  .overwrite((id) => id.toLowerCase());

export const groupIdField = objectIdField
  .meta({ description: 'The group id (24 hex characters); also the Socket.IO room name.' });

export const serverIdField = z.string()
  .regex(SERVER_ID_PATTERN, 'expected 1-64 letters, digits, _ . or -')
  .meta({ description: "A chat server's id (its SERVER_ID)." });

export const groupNameField = textField(1, LIMITS.groupName, { trim: true });
export const personNameField = textField(1, LIMITS.name, { trim: true });
export const messageTextField = textField(1, LIMITS.messageLength);
export const clientIdField = textField(1, LIMITS.clientId)
  .meta({ description: "The sender's idempotency key." });

/** A whole number written in a query string, within [min, max]. */
export const wholeNumberQuery = (min: number, max: number) => z.string()
  .regex(/^\d{1,16}$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(min).max(max))
  .meta({ type: 'integer', minimum: min, maximum: max });

export const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE = 1_000_000;

export const pageQuery = wholeNumberQuery(0, MAX_PAGE);
export const pageSizeQuery = wholeNumberQuery(1, LIMITS.pageSize);
export const seqBeforeQuery = wholeNumberQuery(1, Number.MAX_SAFE_INTEGER);
export const seqAfterQuery = wholeNumberQuery(0, Number.MAX_SAFE_INTEGER);

/** The seed's `page`/`perPage`, with their defaults. */
/** A query number that may be left out, with its default stated in the documents too. */
export const withDefault = (schema: typeof pageQuery, value: number) => schema.default(value).meta({ default: value });

export const offsetQueryShape = {
  page: withDefault(pageQuery, 0),
  perPage: withDefault(pageSizeQuery, DEFAULT_PAGE_SIZE),
};

/** `ups=1,2,3`: one page of user numbers in a query string. */
export const upListQuery = z.string().max(LIMITS.pageSize * (LIMITS.up + 1))
  .transform((s) => s.split(',').filter((up) => up.length > 0))
  .pipe(z.array(upField).min(1).max(LIMITS.pageSize))
  .meta({
    type: 'string',
    maxLength: LIMITS.pageSize * (LIMITS.up + 1),
    description: `Comma-separated user numbers, 1 to ${LIMITS.pageSize}.`,
    example: '201900001,201900002',
  });

/** Comma-separated message ids (24 hex digits each), 1 to `LIMITS.pageSize`; upper case read as lower. */
export const messageIdListQuery = z.string().max(LIMITS.pageSize * 25)
  .transform((s) => s.split(',').filter((id) => id.length > 0))
  .pipe(z.array(objectIdField).min(1).max(LIMITS.pageSize))
  .meta({
    type: 'string',
    maxLength: LIMITS.pageSize * 25,
    description: `Comma-separated message ids, 1 to ${LIMITS.pageSize}.`,
    example: '6b13d2ba5632b8f3d228e0bd,6b13d2ba5632b8f3d228e0be',
  });

/** A read position or a catch-up point. */
export const seqField = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export type OffsetQuery = z.output<z.ZodObject<typeof offsetQueryShape>>;
