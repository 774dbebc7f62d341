/**
 * The recent-message buffer (docs/design.md, Catch-up and the recent buffer): per group, the last few
 * hundred messages and the group's last `seq`, in Redis (shared by every chat
 * server) or in memory. It only stores and reads; whether a slice can be
 * trusted (no hole, reaches the last seq) is decided by the history service.
 */
import type { ChatMessagePayload } from '@chat/shared';

export interface BufferSlice {
  /** The newest seq the buffer has heard of for the group (0: known empty). */
  lastSeq: number;
  /** Ascending seq. */
  items: ChatMessagePayload[];
}

/** A group's recent changes by revision (docs/design.md, One change stream per group). */
export interface ChangeSlice {
  /** The newest rev the buffer has heard of for the group. */
  lastRev: number;
  /** Every change held with rev > the one asked, ascending rev: a message may come more than once (merge them). */
  items: ChatMessagePayload[];
}

export interface RecentBuffer {
  /**
   * Adds stored messages (any groups, any order), each also as a change at its
   * `rev`. Never throws: a failed append marks the group unknown.
   */
  append: (messages: readonly ChatMessagePayload[]) => Promise<void>;
  /**
   * Records changed messages (edits, deletes, reactions, reply quotes): each as
   * a change at its `rev`, and in place of the message held at its seq when it
   * is newer (so the buffer holds the latest text). Never throws, as append.
   */
  changed: (messages: readonly ChatMessagePayload[]) => Promise<void>;
  /** Changes with rev > afterRev, at most `limit`; null when the buffer knows no revision of the group. */
  changesAfter: (group: string, afterRev: number, limit: number) => Promise<ChangeSlice | null>;
  /** Records that the group had no change after `rev` when the data service was asked. */
  primeRev: (group: string, rev: number) => Promise<void>;
  /** Records the newest slice read from the data service, and its last seq. */
  prime: (group: string, items: readonly ChatMessagePayload[], lastSeq: number) => Promise<void>;
  /** Messages with seq > afterSeq, at most `limit`; null when the buffer knows nothing of the group. */
  after: (group: string, afterSeq: number, limit: number) => Promise<BufferSlice | null>;
  /** The newest `limit` messages; null when unknown. */
  latest: (group: string, limit: number) => Promise<BufferSlice | null>;
  forget: (group: string) => Promise<void>;
}

export const groupBy = (messages: readonly ChatMessagePayload[]): Map<string, ChatMessagePayload[]> => {
  const byGroup = new Map<string, ChatMessagePayload[]>();
  messages.forEach((m) => {
    const list = byGroup.get(m.room) ?? [];
    list.push(m);
    byGroup.set(m.room, list);
  });
  return byGroup;
};
