/**
 * Every client → server event takes an acknowledgement callback, answered
 * once: `{ok: true, …result}` or `{ok: false, error: {code, message}}`.
 */
import { z } from 'zod';
import { errorCodeSchema } from '../errors';
import type { ErrorCode, ErrorDetail } from '../errors';

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorDetail };
export type AckCallback<T extends object = object> = (response: Ack<T>) => void;

/** The error ack of an event: its codes are the ones that event can answer. */
export const errorAckSchema = (codes: readonly [ErrorCode, ...ErrorCode[]]) => z.object({
  ok: z.literal(false),
  error: z.object({ code: errorCodeSchema.extract(codes), message: z.string() }),
});

export const successAckSchema = <T extends z.ZodObject>(result: T) => result.extend({ ok: z.literal(true) });
