/** The recent-message buffer for a single chat server without Redis. */
import type { ChatMessagePayload } from '@chat/shared';
import { groupBy } from './recent-buffer';
import type { RecentBuffer } from './recent-buffer';

interface Entry {
  lastSeq: number;
  /** seq → message; re-sorted on read (entries are small). */
  bySeq: Map<number, ChatMessagePayload>;
  /** -1: no revision known. */
  lastRev: number;
  /** rev → the message as that change left it. */
  byRev: Map<number, ChatMessagePayload>;
}

const trimmed = <T>(map: Map<number, T>, size: number) => {
  if (map.size <= size) return;
  const kept = new Set([...map.keys()].sort((a, b) => a - b).slice(-size));
  [...map.keys()].forEach((key) => { if (!kept.has(key)) map.delete(key); });
};

/** `size` messages per group; the least recently touched groups are dropped past `maxGroups`. */
export function createMemoryBuffer(size: number, maxGroups = 10000): RecentBuffer {
  const groups = new Map<string, Entry>();

  const touch = (group: string): Entry => {
    const entry = groups.get(group) ?? {
      lastSeq: 0,
      bySeq: new Map<number, ChatMessagePayload>(),
      lastRev: -1,
      byRev: new Map<number, ChatMessagePayload>(),
    };
    groups.delete(group);
    groups.set(group, entry);
    if (groups.size > maxGroups) {
      const oldest = groups.keys().next().value;
      if (oldest !== undefined) groups.delete(oldest);
    }
    return entry;
  };

  const recordChanges = (entry: Entry, items: readonly ChatMessagePayload[]) => {
    const revs = items.flatMap((m) => (m.rev === undefined ? [] : [m.rev]));
    items.forEach((m) => { if (m.rev !== undefined) entry.byRev.set(m.rev, m); });
    Object.assign(entry, { lastRev: Math.max(entry.lastRev, ...revs) });
    trimmed(entry.byRev, size);
  };

  const add = (group: string, items: readonly ChatMessagePayload[], lastSeqHint: number, changes: boolean) => {
    const entry = touch(group);
    items.forEach((m) => { entry.bySeq.set(m.seq, m); });
    entry.lastSeq = Math.max(entry.lastSeq, lastSeqHint, ...items.map((m) => m.seq));
    trimmed(entry.bySeq, size);
    if (changes) recordChanges(entry, items);
  };

  const sorted = (entry: Entry) => [...entry.bySeq.values()].sort((a, b) => a.seq - b.seq);

  return {
    append: async (messages) => {
      groupBy(messages).forEach((items, group) => add(group, items, 0, true));
    },
    changed: async (messages) => {
      groupBy(messages).forEach((items, group) => {
        const entry = touch(group);
        items.forEach((m) => {
          const held = entry.bySeq.get(m.seq);
          if (held && (held.rev ?? 0) <= (m.rev ?? 0)) entry.bySeq.set(m.seq, m);
        });
        recordChanges(entry, items);
      });
    },
    changesAfter: async (group, afterRev, limit) => {
      const entry = groups.get(group);
      if (!entry || entry.lastRev < 0) return null;
      const items = [...entry.byRev.entries()].filter(([rev]) => rev > afterRev).sort(([a], [b]) => a - b)
        .slice(0, limit)
        .map(([, m]) => m);
      return { lastRev: entry.lastRev, items };
    },
    primeRev: async (group, rev) => {
      const entry = touch(group);
      entry.lastRev = Math.max(entry.lastRev, rev);
    },
    prime: async (group, items, lastSeq) => add(group, items, lastSeq, false),
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
