/** The data service's cursor reads over an in-memory timeline, counting the calls history makes. */
import type { CursorPage, StoredMessage } from '@chat/shared';
import type { Cursor, DataClient } from '../../src/data/client';
import { storedMessage } from './messages';

export class FakeHistorySource implements Pick<DataClient, 'messagesCursor'> {
  calls: Cursor[] = [];

  private readonly timelines = new Map<string, StoredMessage[]>();

  /** Stores seqs 1..`count` of `group`. */
  fill(group: string, count: number): this {
    this.timelines.set(group, Array.from({ length: count }, (_, i) => storedMessage(group, i + 1)));
    return this;
  }

  messagesCursor = async (group: string, cursor: Cursor): Promise<CursorPage<StoredMessage>> => {
    this.calls.push(cursor);
    const all = this.timelines.get(group) ?? [];
    if (cursor.after !== undefined) {
      const newer = all.filter((m) => m.seq > (cursor.after ?? 0));
      return { items: newer.slice(0, cursor.limit), hasMore: newer.length > cursor.limit };
    }
    const older = cursor.before === undefined ? all : all.filter((m) => m.seq < (cursor.before ?? 0));
    return { items: older.slice(-cursor.limit), hasMore: older.length > cursor.limit };
  };
}
