/**
 * Why a request failed: the server's answer (`{ok:false, error:{code, message}}`)
 * or the transport giving up (the socket dropped, or no answer in time).
 */
import { errorCodeSchema } from '@chat/contract';
import type { ErrorCode } from '@chat/contract';

/** `answer`: the server refused; `disconnected`: the socket dropped before the ack; `no-answer`: the ack never came. */
export type FailureKind = 'answer' | 'disconnected' | 'no-answer';

export class ProtocolError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly kind: FailureKind = 'answer') {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** An ack's error detail; a code this client does not know reads as INTERNAL. */
export function errorFromAck(detail: { code: string; message: string }): ProtocolError {
  const known = errorCodeSchema.safeParse(detail.code);
  return new ProtocolError(known.success ? known.data : 'INTERNAL', detail.message);
}

/** The server never answered (a chat server from before an event existed ignores it). */
export const isNoAnswer = (err: unknown): boolean => err instanceof ProtocolError && err.kind === 'no-answer';

/** The socket dropped before the answer came: the request may or may not have been carried out. */
export const isCutOff = (err: unknown): boolean => err instanceof ProtocolError && err.kind !== 'answer';

/** The machine code of any error carrying one (this package's, or an HTTP client's of the same shape). */
export function codeOf(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
