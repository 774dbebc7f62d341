/**
 * What a client sends when it opens a socket (Socket.IO's `auth`), and what a
 * refused handshake carries (`connect_error`'s `data`).
 */
import { z } from 'zod';
import { errorCodeSchema } from '../errors';

export const handshakeAuthSchema = z.object({
  /** The JWT from `/auth/login` or `/auth/register`. */
  token: z.string(),
  /**
   * The `mapVersion` that `GET /chat/location` answered with this server's URL. A chat server whose map is
   * older takes the user at once instead of refusing it (it has not heard of the move yet).
   */
  mapVersion: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
    .optional(),
});
export type HandshakeAuth = z.infer<typeof handshakeAuthSchema>;

/** `connect_error` data: the shared error shape, plus the right server's URL with `WRONG_SERVER`. */
export const handshakeRefusalSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  /** With `WRONG_SERVER`: a live chat server that serves this user. */
  url: z.string().optional(),
});
export type HandshakeRefusal = z.infer<typeof handshakeRefusalSchema>;
