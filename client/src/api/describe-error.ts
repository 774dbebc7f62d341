import { ProtocolError } from '@chat/protocol-client';
import { ApiError } from './api-error';
import type { ClientErrorCode } from './api-error';

/** Plain words for each code; the server's own message follows when it adds something useful. */
const PLAIN: Record<ClientErrorCode, string> = {
  VALIDATION_FAILED: 'That was not accepted.',
  UNAUTHORIZED: 'You are not signed in, or your details were not recognised.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'That no longer exists.',
  CONFLICT: 'That is already taken.',
  PAYLOAD_TOO_LARGE: 'That is too long to send.',
  WRONG_SERVER: 'You were sent to another chat server.',
  RATE_LIMITED: 'Too many attempts. Wait a moment and try again.',
  INTERNAL: 'Something went wrong on the server. Try again.',
  UNAVAILABLE: 'The chat service is busy or down right now. Try again shortly.',
  NETWORK: 'Cannot reach the chat service. Check your connection and that the servers are running.',
};

/** Codes whose server message names the field or the thing: worth showing as well. */
const DETAILED = new Set<ClientErrorCode>(['VALIDATION_FAILED', 'CONFLICT', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED']);

const sentence = (text: string) => {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

/** What to tell the person about `error`, in one or two short sentences. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError || error instanceof ProtocolError) {
    const plain = PLAIN[error.code];
    const detail = sentence(error.message);
    if (!DETAILED.has(error.code) || detail === '' || detail.toLowerCase() === plain.toLowerCase()) return plain;
    return `${plain} ${detail}`;
  }
  if (error instanceof Error && error.message) return `Something went wrong: ${sentence(error.message)}`;
  return 'Something went wrong. Try again.';
}
