/**
 * How a client → server event is declared: its request, the result of its
 * success ack, and the error codes of its error ack. Every map of client
 * events (the seed's, the timeline's) declares its events with `clientEvent`.
 */
import type { z } from 'zod';
import type { ErrorCode } from '../errors';

export interface ClientEventSpec {
  summary: string;
  description: string;
  request: z.ZodObject;
  /** What the success ack carries besides `ok: true`. */
  result: z.ZodObject;
  errors: readonly [ErrorCode, ...ErrorCode[]];
  /** The ack callback may be left out (the event is fire-and-forget). */
  ackOptional?: true;
}

export const clientEvent = <const S extends ClientEventSpec>(spec: S): S => spec;

/** Every event can be refused for its shape or for flooding, and can fail inside. */
export const ALWAYS = ['VALIDATION_FAILED', 'RATE_LIMITED', 'INTERNAL'] as const;
