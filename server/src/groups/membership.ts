/**
 * "Is this user a member of this group?", asked on every send, typing and read:
 * answered from a short-lived cache of positive answers, then by the data
 * service's `{_id}` membership lookup. Removals and deletions revoke entries on
 * every chat server at once (`membership revoked` between servers).
 */
import { AppError } from '@chat/shared';
import type { Up } from '@chat/shared';
import type { DataClient } from '../data/client';

export interface MembershipOptions {
  data: DataClient;
  ttlMs: number;
  maxEntries?: number;
}

export function createMembership(options: MembershipOptions) {
  const { data, ttlMs } = options;
  const maxEntries = options.maxEntries ?? 100000;
  const known = new Map<string, number>();
  const key = (room: string, up: Up) => `${room}|${up}`;

  const remember = (room: string, up: Up) => {
    if (known.size >= maxEntries) {
      const oldest = known.keys().next().value;
      if (oldest !== undefined) known.delete(oldest);
    }
    known.set(key(room, up), Date.now() + ttlMs);
  };

  /** Resolves when `up` is a member of `room`; FORBIDDEN when not, UNAVAILABLE when unknown. */
  const require = async (room: string, up: Up): Promise<void> => {
    const until = known.get(key(room, up));
    if (until !== undefined && until > Date.now()) return;
    try {
      await data.membership(room, up);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'VALIDATION_FAILED')) {
        throw new AppError('FORBIDDEN', 'you are not a member of this group');
      }
      throw err;
    }
    remember(room, up);
  };

  const revoke = (room: string, up: Up | null) => {
    if (up !== null) { known.delete(key(room, up)); return; }
    const prefix = `${room}|`;
    [...known.keys()].forEach((k) => { if (k.startsWith(prefix)) known.delete(k); });
  };

  return { require, remember, revoke };
}

export type Membership = ReturnType<typeof createMembership>;
