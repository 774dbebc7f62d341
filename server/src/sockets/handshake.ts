/**
 * Who may open a socket here: a valid token in `auth.token` of a session
 * that is not signed out (auth/sessions.ts), under the
 * per-IP connection limit, and a user this server serves (else WRONG_SERVER
 * with the URL of a live server that does; placement/admission.ts decides,
 * helped by the `auth.mapVersion` of the client's placement when it sends
 * one). The user's groups are looked up now, so the socket is
 * in all its rooms before it can send or receive anything.
 *
 * The per-IP slot is taken as soon as the address is checked (not once the
 * socket connects), so a burst of parallel handshakes cannot all pass the
 * check, and it is given back when the transport closes, whatever happened.
 *
 * Group lookups are batched (groups/group-ids.ts): a crowd reconnecting at
 * once costs the data service a few calls, not one per client.
 */
import type { ExtendedError } from 'socket.io';
import { handshakeAuthSchema } from '@chat/contract';
import type { HandshakeRefusal } from '@chat/contract';
import { AppError } from '@chat/shared';
import type { ErrorCode } from '@chat/shared';
import type { ChatContext } from '../context';
import { clientAddress } from '../http/client-address';
import type { AdmissionCheck } from '../placement/admission';
import type { ChatSocket } from './types';

/** A connect_error the client can act on: `err.message` for people, `err.data.code` for code. */
const refusal = (code: ErrorCode, message: string, extra: Record<string, string> = {}): ExtendedError => {
  const err: ExtendedError = new Error(message);
  const data: Omit<HandshakeRefusal, 'message'> = { code, ...extra };
  err.data = data;
  return err;
};

/** What `socket.handshake.auth` holds once the handshake has read it: one object for every socket. */
const NO_AUTH: Record<string, never> = Object.freeze({});

export interface Handshake {
  middleware: (socket: ChatSocket, next: (err?: ExtendedError) => void) => void;
  /** The groups found at handshake, handed over once to the connection handler. */
  takeGroups: (socket: ChatSocket) => string[];
}

/** `auth.mapVersion`: absent, or the non-negative integer `GET /chat/location` answered. */
const mapVersionOf = (auth: Record<string, unknown> | undefined): number | undefined => {
  const parsed = handshakeAuthSchema.shape.mapVersion.safeParse(auth?.mapVersion);
  if (!parsed.success) {
    throw refusal('VALIDATION_FAILED', 'auth.mapVersion must be the non-negative integer GET /chat/location answered');
  }
  return parsed.data;
};

export function createHandshake(ctx: ChatContext, admission: AdmissionCheck): Handshake {
  const perIp = new Map<string, number>();
  const groupsOf = new WeakMap<ChatSocket, string[]>();
  const release = (ip: string) => {
    const left = (perIp.get(ip) ?? 1) - 1;
    if (left <= 0) perIp.delete(ip); else perIp.set(ip, left);
  };
  /**
   * One listener for every transport (an emitter calls it with the transport as
   * `this`), so a socket holds no closure for its slot: the address is worked
   * out again from the same request, and comes out the same (the TCP socket
   * keeps the peer address it gave at the handshake).
   */
  function releaseSlot(this: ChatSocket['conn']): void {
    release(clientAddress(this.request, ctx.trustProxy));
  }

  const admit = async (socket: ChatSocket): Promise<void> => {
    if (ctx.isClosing()) throw refusal('UNAVAILABLE', 'this server is shutting down; reconnect through GET /chat/location');
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    let user;
    try {
      user = ctx.tokens.verify(auth?.token);
      await ctx.sessions.check(user);
    } catch (err) {
      if (err instanceof AppError && err.code === 'UNAVAILABLE') throw refusal('UNAVAILABLE', err.message);
      throw refusal('UNAUTHORIZED', err instanceof AppError ? err.message : 'a valid token is required');
    }
    const mapVersion = mapVersionOf(auth);
    const ip = clientAddress(socket.request, ctx.trustProxy);
    if ((perIp.get(ip) ?? 0) >= ctx.config.maxConnectionsPerIp) {
      throw refusal('RATE_LIMITED', 'too many connections from this address');
    }
    // A transport that closed during the checks above would never give a slot back.
    if (socket.conn.readyState === 'closed') throw refusal('UNAVAILABLE', 'the connection closed during the handshake');
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    // The transport closes once; each handshake on it took a slot and adds a listener.
    socket.conn.on('close', releaseSlot);
    const verdict = await admission.decide(user.up, mapVersion);
    if (!verdict.admit) throw refusal('WRONG_SERVER', 'this user is served by another chat server', { url: verdict.url });
    let groups;
    try {
      groups = await ctx.groupIds.of(user.up);
    } catch (err) {
      const error = err instanceof AppError ? err : new AppError('UNAVAILABLE', 'groups could not be loaded');
      throw refusal(error.code === 'INTERNAL' ? 'UNAVAILABLE' : error.code, error.message);
    }
    // A fresh object of known shape keeps its fields in the object itself (no separate property store).
    // eslint-disable-next-line no-param-reassign
    socket.data = {
      up: user.up, sid: user.sid, issuedAt: user.issuedAt, expiresAt: user.expiresAt,
    };
    // What the token said is in socket.data now; the credential itself is not kept for the socket's life.
    // eslint-disable-next-line no-param-reassign
    socket.handshake.auth = NO_AUTH;
    groupsOf.set(socket, groups);
  };

  return {
    middleware: (socket, next) => {
      admit(socket).then(() => next(), (err: ExtendedError) => {
        const code = (err.data as { code?: string } | undefined)?.code;
        if (code) ctx.metrics.errors.inc({ code });
        next(err);
      });
    },
    takeGroups: (socket) => {
      const groups = groupsOf.get(socket) ?? [];
      groupsOf.delete(socket);
      return groups;
    },
  };
}
