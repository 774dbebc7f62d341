/**
 * Signed-out sessions, enforced (docs/design.md, Sessions).
 *
 * - `check(token)`: every REST call and every socket handshake. A memory
 *   lookup; the data service is asked only when what is known of the token's
 *   session is older than SESSION_RECHECK_MS.
 * - `announce(revocation)`: this server signed a session (or all of a user's)
 *   out. Every chat server learns it at once through the adapter
 *   (`sessions revoked`, serverSideEmit) and ends the matching sockets it holds:
 *   `session ended {reason: 'SIGNED_OUT'}`, then disconnect.
 * - `watch(socket)`: a socket is ended with `TOKEN_EXPIRED` when its access
 *   token expires; the client renews and reconnects. One timer serves every
 *   socket (armed for the earliest expiry, then a pass over the sockets), so a
 *   socket holds no timer or closure of its own.
 * - A sweep every SESSION_RECHECK_MS asks again about the sessions of this
 *   server's sockets whose answer went stale, so a revocation message lost
 *   with a Redis outage still ends their sockets.
 * Messages on a socket are not checked one by one: a socket of a signed-out
 * session does not stay open.
 */
import { AppError, SESSION_STATES_MAX } from '@chat/shared';
import type { SessionEndReason, SessionState } from '@chat/shared';
import type winston from 'winston';
import type { AccountClient } from '../data/accounts';
import type { ChatIo, ChatSocket } from '../sockets/types';
import { userRoom } from '../sockets/types';
import type { Revocation, RevocationCache, TokenFacts } from './sessions-cache';

export interface SessionGuardOptions {
  io: ChatIo;
  accounts: Pick<AccountClient, 'sessionState' | 'sessionStates'>;
  cache: RevocationCache;
  recheckMs: number;
  logger: winston.Logger;
}

const MESSAGES: Record<SessionEndReason, string> = {
  TOKEN_EXPIRED: 'the access token expired; renew it (POST /auth/refresh) and reconnect',
  SIGNED_OUT: 'this session was signed out; sign in again',
};

const SIGNED_OUT = 'this session is signed out; sign in again';

/** setTimeout's longest wait (about 24.8 days); a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Passes over the sockets for expired tokens come at most this often, however many tokens expire. */
const EXPIRY_PASS_GAP_MS = 1000;

const factsOf = (socket: ChatSocket): TokenFacts => ({
  up: socket.data.up, sid: socket.data.sid, issuedAt: socket.data.issuedAt ?? 0,
});

export function createSessionGuard(options: SessionGuardOptions) {
  const { io, cache } = options;
  const asking = new Map<string, Promise<void>>();

  const ask = (token: TokenFacts): Promise<void> => {
    const key = token.sid ?? `user:${token.up}`;
    let pending = asking.get(key);
    if (!pending) {
      pending = options.accounts.sessionState(token.up, token.sid)
        .then((state: SessionState) => cache.learn(token, state))
        .finally(() => asking.delete(key));
      asking.set(key, pending);
    }
    return pending;
  };

  const end = (socket: ChatSocket, reason: SessionEndReason) => {
    if (!socket.connected) return;
    socket.emit('session ended', { reason, message: MESSAGES[reason] });
    socket.disconnect(true);
  };

  const endLocal = (event: Revocation) => {
    const ids = io.of('/').adapter.rooms.get(userRoom(event.up));
    if (!ids) return;
    [...ids].forEach((id) => {
      const socket = io.of('/').sockets.get(id);
      if (!socket) return;
      const { sid } = socket.data;
      if (sid !== undefined ? event.sids.includes(sid) : event.before !== null) end(socket, 'SIGNED_OUT');
    });
  };

  /** Asks about many tokens, SESSION_STATES_MAX per call (one read of users and one of sessions per call). */
  const askMany = async (tokens: TokenFacts[]) => {
    for (let i = 0; i < tokens.length; i += SESSION_STATES_MAX) {
      const part = tokens.slice(i, i + SESSION_STATES_MAX);
      const states = await options.accounts.sessionStates(part.map(({ up, sid }) => ({ up, sid })));
      part.forEach((token, k) => { const state = states[k]; if (state) cache.learn(token, state); });
    }
  };

  const sweep = async () => {
    const stale = new Map<string, TokenFacts>();
    for (const socket of io.of('/').sockets.values()) {
      if (socket.data.up) {
        const token = factsOf(socket);
        const key = token.sid ?? `user:${token.up}`;
        if (!stale.has(key) && cache.isStale(token)) stale.set(key, token);
      }
    }
    await askMany([...stale.values()]).catch((err: Error) => {
      options.logger.warn('session re-check failed; the next sweep asks again', { error: err.message });
    });
    for (const socket of io.of('/').sockets.values()) {
      if (socket.data.up && cache.isRevoked(factsOf(socket))) end(socket, 'SIGNED_OUT');
    }
  };
  // Token expiry: one timer for every socket, armed for the earliest expiry known. A pass ends
  // the sockets whose token has expired and arms the timer for the earliest left.
  let expiryTimer: NodeJS.Timeout | undefined;
  let expiryDueMs = Infinity;
  let lastExpiryPassMs = 0;
  function armExpiry(dueMs: number): void {
    if (dueMs >= expiryDueMs) return;
    clearTimeout(expiryTimer);
    expiryDueMs = dueMs;
    const at = Math.max(dueMs, lastExpiryPassMs + EXPIRY_PASS_GAP_MS);
    expiryTimer = setTimeout(expiryPass, Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS));
    expiryTimer.unref();
  }
  function expiryPass(): void {
    const now = Date.now();
    lastExpiryPassMs = now;
    expiryDueMs = Infinity;
    let next = Infinity;
    for (const socket of io.of('/').sockets.values()) {
      const expiresMs = (socket.data.expiresAt ?? 0) * 1000;
      if (expiresMs !== 0) {
        if (expiresMs <= now) end(socket, 'TOKEN_EXPIRED'); else next = Math.min(next, expiresMs);
      }
    }
    if (next !== Infinity) armExpiry(next);
  }

  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweep().catch((err: Error) => options.logger.warn('session sweep failed', { error: err.message }))
      .finally(() => { sweeping = false; });
  }, options.recheckMs);
  timer.unref();

  return {
    /** Resolves when `token`'s session is not signed out; UNAUTHORIZED when it is. */
    async check(token: TokenFacts): Promise<void> {
      if (cache.isRevoked(token)) throw new AppError('UNAUTHORIZED', SIGNED_OUT);
      if (cache.isStale(token)) {
        try {
          await ask(token);
        } catch (err) {
          // An unanswered check lets a token through that was valid when last asked, never one never asked about.
          if (!cache.isKnown(token)) {
            throw err instanceof AppError && err.code !== 'INTERNAL' ? err : new AppError('UNAVAILABLE', 'sessions cannot be checked now; retry');
          }
        }
        if (cache.isRevoked(token)) throw new AppError('UNAUTHORIZED', SIGNED_OUT);
      }
    },

    /** Signs out here and on every other chat server. */
    announce(event: Revocation): void {
      cache.apply(event);
      endLocal(event);
      io.serverSideEmit('sessions revoked', event);
    },

    /** Another chat server announced a revocation. */
    onRemote(event: Revocation): void {
      cache.apply(event);
      endLocal(event);
    },

    /** Ends `socket` with TOKEN_EXPIRED when its access token expires (it is connected here now). */
    watch(socket: ChatSocket): void {
      const expiresAt = socket.data.expiresAt ?? 0;
      if (expiresAt !== 0) armExpiry(expiresAt * 1000);
    },

    close(): void {
      clearInterval(timer);
      clearTimeout(expiryTimer);
      expiryDueMs = Infinity;
    },
  };
}

export type SessionGuard = ReturnType<typeof createSessionGuard>;
