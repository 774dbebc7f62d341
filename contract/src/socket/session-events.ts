/**
 * How a socket learns that its session is over (docs/design.md, Sessions):
 * `session ended` just before the server disconnects it. `TOKEN_EXPIRED`:
 * renew the access token (`POST /auth/refresh`) and reconnect; `SIGNED_OUT`:
 * the session was signed out (here or elsewhere, or the password changed), so
 * sign in again.
 */
import { z } from 'zod';
import { upSchema } from '../records';

export const SESSION_END_REASONS = ['TOKEN_EXPIRED', 'SIGNED_OUT'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export const sessionEndedSchema = z.object({
  reason: z.enum(SESSION_END_REASONS),
  message: z.string(),
}).meta({ description: 'Sent once, just before the server disconnects the socket.' });

export const sessionServerEvents = {
  'session ended': {
    summary: 'The socket\'s session ended (token expired or signed out); it is disconnected next',
    payload: sessionEndedSchema,
  },
} as const;

export const sessionInterServerEvents = {
  'sessions revoked': {
    summary: 'Refuse the tokens of these sessions of `up` (and, with `before` in ms, the user\'s tokens without a session issued before it), and disconnect their sockets',
    payload: z.object({
      up: upSchema,
      sids: z.array(z.string()),
      before: z.number().nullable(),
    }),
  },
} as const;
