/** Stored messages and their socket payloads for tests of history and buffers. */
import type { ChatMessagePayload, StoredMessage } from '@chat/shared';

export const storedMessage = (group: string, seq: number): StoredMessage => ({
  id: `${group}-${seq}`,
  group,
  seq,
  from: '1001',
  message: `message ${seq}`,
  clientId: `client-${group}-${seq}`,
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
});

export const payload = (group: string, seq: number): ChatMessagePayload => {
  const m = storedMessage(group, seq);
  return {
    id: m.id, seq: m.seq, message: m.message, up: m.from, room: m.group, timestamp: m.timestamp, clientId: m.clientId,
  };
};

/** Payloads for seqs `from`..`to` of `group`. */
export const payloads = (group: string, from: number, to: number): ChatMessagePayload[] => Array.from(
  { length: Math.max(0, to - from + 1) },
  (_, i) => payload(group, from + i),
);

export const seqsOf = (items: readonly { seq: number }[] | undefined): number[] => (items ?? []).map((m) => m.seq);
