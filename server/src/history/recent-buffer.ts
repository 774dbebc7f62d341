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

export interface RecentBuffer {
  /** Adds stored messages (any groups, any order). Never throws: a failed append marks the group unknown. */
  append: (messages: readonly ChatMessagePayload[]) => Promise<void>;
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
