/**
 * What a chat server knows about signed-out sessions (docs/design.md,
 * Sessions), in memory, so checking a token costs a map lookup:
 * - revoked session ids (kept for as long as one of their access tokens may live);
 * - per user, "tokens without a session issued before this time are refused"
 *   (sign out everywhere, password change; tokens from a sign-in are refused
 *   by their session id instead);
 * - when each session (or user, for tokens without a session) was last asked
 *   of the data service: an answer older than `recheckMs` is asked again, so a
 *   revocation message that never arrived is noticed within that time.
 */
import { TtlSet } from '@chat/shared';
import type { SessionState, Up } from '@chat/shared';

export interface TokenFacts {
  up: Up;
  sid?: string;
  /** Seconds since the epoch. */
  issuedAt: number;
}

export interface Revocation {
  up: Up;
  /** Sessions signed out. */
  sids: string[];
  /** Every token of `up` without a session issued before this time (ms) is refused. */
  before: number | null;
}

export interface RevocationCacheOptions {
  /** How long a data-service answer is trusted. */
  recheckMs: number;
  /** The longest life of an access token: a revoked session is remembered this long. */
  tokenTtlMs: number;
  maxEntries?: number;
  now?: () => number;
}

export function createRevocationCache(options: RevocationCacheOptions) {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100000;
  const revoked = new TtlSet<string>(options.tokenTtlMs, maxEntries);
  const epochs = new Map<Up, number>();
  const checkedAt = new Map<string, number>();

  const keyOf = (token: TokenFacts) => token.sid ?? `user:${token.up}`;

  const noteEpoch = (up: Up, before: number) => {
    if ((epochs.get(up) ?? 0) >= before) return;
    epochs.delete(up);
    if (epochs.size >= maxEntries) {
      const oldest = epochs.keys().next();
      if (!oldest.done) epochs.delete(oldest.value);
    }
    epochs.set(up, before);
  };

  return {
    /** Refused by what is known now (no call). */
    isRevoked(token: TokenFacts): boolean {
      // A session's tokens are refused by its id, never by comparing clocks of different machines.
      if (token.sid !== undefined) return revoked.has(token.sid);
      const before = epochs.get(token.up);
      // Tokens without a session (signed outside a sign-in): by issue time, in whole seconds as the token states it.
      return before !== undefined && token.issuedAt <= Math.floor(before / 1000);
    },

    /** True when what is known of this token is older than `recheckMs` (or nothing is). */
    isStale(token: TokenFacts): boolean {
      const at = checkedAt.get(keyOf(token));
      return at === undefined || now() - at > options.recheckMs;
    },

    /** True when the data service was ever asked about this token's session (or user). */
    isKnown: (token: TokenFacts): boolean => checkedAt.has(keyOf(token)),

    /** Records the data service's answer about `token`. */
    learn(token: TokenFacts, state: SessionState): void {
      if (state.revoked && token.sid !== undefined) revoked.add(token.sid);
      if (state.signedOutBefore !== null && token.sid === undefined) {
        noteEpoch(token.up, Date.parse(state.signedOutBefore));
      }
      if (state.revoked && token.sid === undefined) noteEpoch(token.up, now() + 1000);
      const key = keyOf(token);
      checkedAt.delete(key);
      if (checkedAt.size >= maxEntries) {
        const oldest = checkedAt.keys().next();
        if (!oldest.done) checkedAt.delete(oldest.value);
      }
      checkedAt.set(key, now());
    },

    /** A revocation announced by a chat server (this one or another). */
    apply(event: Revocation): void {
      event.sids.forEach((sid) => revoked.add(sid));
      if (event.before !== null) noteEpoch(event.up, event.before);
    },
  };
}

export type RevocationCache = ReturnType<typeof createRevocationCache>;
