/**
 * Saves groups' last-seq hints in the background, coalesced: however many
 * rounds touch a group meanwhile, one `$max` update per group per pass. The
 * hint is only a starting point (never ahead of the messages: `$max` of seqs
 * that are stored), so a hint that lags a moment is corrected by whoever
 * needs more: the seq writer on a collision, a read-position check by asking
 * the messages. Writing hints off the send path keeps a send to one `insertMany`
 * per round, which matters on a database where every update costs milliseconds.
 */
import type { Types } from 'mongoose';
import type { GroupModel } from '../db/models/group';

const CONCURRENCY = 4;
const RETRY_MS = 1000;

interface Hint {
  id: Types.ObjectId;
  last: number;
}

export class HintSaver {
  private readonly dirty = new Map<string, Hint>();

  private running: Promise<void> | undefined;

  private retryTimer: NodeJS.Timeout | undefined;

  private closed = false;

  constructor(private readonly groups: GroupModel, private readonly onError: (err: unknown) => void) {}

  /** Records that `group` has messages up to `last`. */
  mark(id: Types.ObjectId, last: number): void {
    this.keep({ id, last });
    if (!this.retryTimer) this.kick();
  }

  /** The group is gone: nothing to save for it. */
  forget(group: string): void {
    this.dirty.delete(group);
  }

  /** Saves everything marked so far (one attempt; a database that is down is not waited for). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.running;
    if (this.dirty.size > 0) await this.pass().catch(this.onError);
  }

  private kick(): void {
    if (this.running || this.closed || this.dirty.size === 0) return;
    this.running = this.saveAll().finally(() => { this.running = undefined; });
  }

  private async saveAll(): Promise<void> {
    try {
      while (this.dirty.size > 0) await this.pass();
    } catch (err) {
      this.onError(err);
      this.retryTimer = setTimeout(() => { this.retryTimer = undefined; this.kick(); }, RETRY_MS);
      this.retryTimer.unref();
    }
  }

  /** One pass over what is dirty; what is not known saved stays dirty. */
  private async pass(): Promise<void> {
    const batch = [...this.dirty.values()];
    this.dirty.clear();
    for (let i = 0; i < batch.length; i += CONCURRENCY) {
      const slice = batch.slice(i, i + CONCURRENCY);
      const results = await Promise.allSettled(slice.map(({ id, last }) => (
        this.groups.updateOne({ _id: id }, { $max: { lastSeq: last } }))));
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) {
        slice.filter((_, j) => results[j]?.status === 'rejected').forEach((entry) => this.keep(entry));
        batch.slice(i + CONCURRENCY).forEach((entry) => this.keep(entry));
        throw failure.reason;
      }
    }
  }

  private keep(entry: Hint): void {
    const key = String(entry.id);
    const current = this.dirty.get(key);
    if (!current || entry.last > current.last) this.dirty.set(key, entry);
  }
}
