/** A stored message as sockets and the public REST routes deliver it (`room` = group id, `up` = sender). */
import type { ChatMessagePayload, StoredMessage } from '@chat/shared';

export const toPayload = (m: StoredMessage): ChatMessagePayload => ({
  id: m.id,
  seq: m.seq,
  message: m.message,
  up: m.from,
  room: m.group,
  timestamp: m.timestamp,
  clientId: m.clientId,
});

/** True when the seqs go up by exactly one: a slice with a hole is never trusted. */
export const isContiguous = (items: readonly { seq: number }[]): boolean => items.every(
  (item, i) => i === 0 || item.seq === (items[i - 1]?.seq ?? Number.NaN) + 1,
);
