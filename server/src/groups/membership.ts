/**
 * "Is this user a member of this group?", asked on every send, typing and read:
 * answered from a short-lived cache of positive answers, then by the data
 * service's `{_id}` membership lookup. Removals and deletions revoke entries on
 * every chat server at once (`membership revoked` between servers).
 */
import { AppError, TtlSet } from '@chat/shared';
import type { Up } from '@chat/shared';
import type { DataClient } from '../data/client';

export interface MembershipOptions {
  /** Only the membership lookup is needed. */
  data: Pick<DataClient, 'membership'>;
  ttlMs: number;
  maxEntries?: number;
}

export function createMembership(options: MembershipOptions) {
  const { data } = options;
  const known = new TtlSet<string>(options.ttlMs, options.maxEntries);
  const key = (room: string, up: Up) => `${room}|${up}`;
  const remember = (room: string, up: Up) => known.add(key(room, up));

  /** Resolves when `up` is a member of `room`; FORBIDDEN when not, UNAVAILABLE when unknown. */
  const require = async (room: string, up: Up): Promise<void> => {
    if (known.has(key(room, up))) return;
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
    known.deleteWhere((k) => k.startsWith(prefix));
  };

  return { require, remember, revoke };
}

export type Membership = ReturnType<typeof createMembership>;
