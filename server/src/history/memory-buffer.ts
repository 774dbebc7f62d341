/** The recent-message buffer for a single chat server without Redis. */
import type { ChatMessagePayload } from '@chat/shared';
import { groupBy } from './recent-buffer';
import type { RecentBuffer } from './recent-buffer';

interface Entry {
  lastSeq: number;
  /** seq → message; re-sorted on read (entries are small). */
  bySeq: Map<number, ChatMessagePayload>;
}

/** `size` messages per group; the least recently touched groups are dropped past `maxGroups`. */
export function createMemoryBuffer(size: number, maxGroups = 10000): RecentBuffer {
  const groups = new Map<string, Entry>();

  const touch = (group: string): Entry => {
    const entry = groups.get(group) ?? { lastSeq: 0, bySeq: new Map<number, ChatMessagePayload>() };
    groups.delete(group);
    groups.set(group, entry);
    if (groups.size > maxGroups) {
      const oldest = groups.keys().next().value;
      if (oldest !== undefined) groups.delete(oldest);
    }
    return entry;
  };

  const add = (group: string, items: readonly ChatMessagePayload[], lastSeqHint: number) => {
    const entry = touch(group);
    items.forEach((m) => { entry.bySeq.set(m.seq, m); });
    entry.lastSeq = Math.max(entry.lastSeq, lastSeqHint, ...items.map((m) => m.seq));
    if (entry.bySeq.size > size) {
      const keep = [...entry.bySeq.keys()].sort((a, b) => a - b).slice(-size);
      const kept = new Set(keep);
      [...entry.bySeq.keys()].forEach((seq) => { if (!kept.has(seq)) entry.bySeq.delete(seq); });
    }
  };

  const sorted = (entry: Entry) => [...entry.bySeq.values()].sort((a, b) => a.seq - b.seq);

  return {
    append: async (messages) => {
      groupBy(messages).forEach((items, group) => add(group, items, 0));
    },
    prime: async (group, items, lastSeq) => add(group, items, lastSeq),
    after: async (group, afterSeq, limit) => {
      const entry = groups.get(group);
      if (!entry) return null;
      return { lastSeq: entry.lastSeq, items: sorted(entry).filter((m) => m.seq > afterSeq).slice(0, limit) };
    },
    latest: async (group, limit) => {
      const entry = groups.get(group);
      if (!entry) return null;
      return { lastSeq: entry.lastSeq, items: sorted(entry).slice(-limit) };
    },
    forget: async (group) => { groups.delete(group); },
  };
}
