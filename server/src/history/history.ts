/**
 * What a joining socket is sent (docs/design.md, Catch-up and the recent buffer): the newest page, or
 * every message after the client's `since`. The recent buffer answers when it
 * can be trusted — it reaches the group's last seq with no hole — and the data
 * service otherwise; identical concurrent requests share one fetch, so a crowd
 * reconnecting to one group costs one data-service call, not one per client.
 */
import type { ChatMessagePayload } from '@chat/shared';
import { toChatMessage } from '@chat/contract';
import type { DataClient } from '../data/client';
import { isContiguous } from './contiguous';
import type { RecentBuffer } from './recent-buffer';
import { singleFlight } from './single-flight';

export interface HistorySlice {
  messages: ChatMessagePayload[];
  lastSeq: number;
  hasMore: boolean;
}

export interface HistoryOptions {
  buffer: RecentBuffer;
  /** Only the cursor reads: history never writes. */
  data: Pick<DataClient, 'messagesCursor'>;
  /** Size of the newest page sent on a join without `since`. */
  pageSize: number;
  /** Most messages sent on one catch-up; beyond it `hasMore` is true. */
  catchUpLimit: number;
  /** Counts where answers came from (metrics). */
  onSource?: (source: 'buffer' | 'data') => void;
}

/** The data service's cursor route pages by at most 100. */
const DATA_PAGE = 100;

export function createHistory(options: HistoryOptions) {
  const {
    buffer, data, pageSize, catchUpLimit,
  } = options;
  const shared = singleFlight<HistorySlice>();
  const count = (source: 'buffer' | 'data') => options.onSource?.(source);

  const latestFromData = async (group: string, limit: number): Promise<HistorySlice> => {
    count('data');
    const page = await data.messagesCursor(group, { limit });
    const messages = page.items.map(toChatMessage);
    const lastSeq = messages[messages.length - 1]?.seq ?? 0;
    await buffer.prime(group, messages, lastSeq);
    return { messages, lastSeq, hasMore: page.hasMore };
  };

  /** The newest `limit` messages (default: the join page size). */
  const latest = (group: string, limit = pageSize): Promise<HistorySlice> => shared(`latest:${group}:${limit}`, async () => {
    const slice = await buffer.latest(group, limit);
    if (slice) {
      const { items } = slice;
      const newest = items[items.length - 1];
      if (slice.lastSeq === 0 && !newest) {
        count('buffer');
        return { messages: [], lastSeq: 0, hasMore: false };
      }
      const first = items[0];
      const reachesEnd = newest !== undefined && newest.seq >= slice.lastSeq;
      const complete = items.length === limit || first?.seq === 1;
      if (first && newest && reachesEnd && complete && isContiguous(items)) {
        count('buffer');
        return { messages: items, lastSeq: newest.seq, hasMore: first.seq > 1 };
      }
    }
    return latestFromData(group, limit);
  });

  const afterFromData = async (group: string, since: number): Promise<HistorySlice> => {
    count('data');
    const messages: ChatMessagePayload[] = [];
    let cursor = since;
    let hasMore = true;
    while (hasMore && messages.length < catchUpLimit) {
      const limit = Math.min(DATA_PAGE, catchUpLimit - messages.length);
      const page = await data.messagesCursor(group, { after: cursor, limit });
      messages.push(...page.items.map(toChatMessage));
      hasMore = page.hasMore;
      const last = page.items[page.items.length - 1];
      if (!last) break;
      cursor = last.seq;
    }
    const newest = messages[messages.length - 1];
    // Nothing after `since`: where the group really stands comes from its newest page.
    if (!newest) return { ...(await latest(group)), messages: [], hasMore: false };
    if (!hasMore) await buffer.prime(group, messages.slice(-pageSize), newest.seq);
    return { messages, lastSeq: newest.seq, hasMore };
  };

  const since = (group: string, after: number): Promise<HistorySlice> => shared(`since:${group}:${after}`, async () => {
    const slice = await buffer.after(group, after, catchUpLimit);
    if (slice) {
      const { items } = slice;
      const newest = items[items.length - 1];
      if (slice.lastSeq <= after && !newest) {
        count('buffer');
        return { messages: [], lastSeq: slice.lastSeq, hasMore: false };
      }
      const lastSeq = Math.max(slice.lastSeq, newest?.seq ?? 0);
      const startsRight = items[0]?.seq === after + 1;
      const reachesEnd = newest !== undefined && (newest.seq >= lastSeq || items.length === catchUpLimit);
      if (startsRight && reachesEnd && isContiguous(items)) {
        count('buffer');
        return { messages: items, lastSeq, hasMore: (newest?.seq ?? 0) < lastSeq };
      }
    }
    return afterFromData(group, after);
  });

  /**
   * The `limit` messages before seq `before` (a page scrolling back): from the
   * buffer when it holds all of them, else from the data service.
   */
  const before = async (group: string, beforeSeq: number, limit: number): Promise<{
    messages: ChatMessagePayload[]; hasMore: boolean;
  }> => {
    const from = Math.max(1, beforeSeq - limit);
    if (from < beforeSeq) {
      const slice = await buffer.after(group, from - 1, beforeSeq - from);
      const items = slice?.items.filter((m) => m.seq < beforeSeq) ?? [];
      if (items[0]?.seq === from && items[items.length - 1]?.seq === beforeSeq - 1 && isContiguous(items)) {
        count('buffer');
        return { messages: items, hasMore: from > 1 };
      }
    }
    count('data');
    const page = await data.messagesCursor(group, { before: beforeSeq, limit });
    return { messages: page.items.map(toChatMessage), hasMore: page.hasMore };
  };

  return { latest, since, before };
}

export type History = ReturnType<typeof createHistory>;
