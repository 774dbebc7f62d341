/**
 * Saves groups' last-seq hints in the background, coalesced: however many
 * rounds touch a group meanwhile, one `$max` update per group per pass. The
 * hint is only a starting point (never ahead of the messages: `$max` of seqs
 * that are stored), so a hint that lags a moment is corrected by whoever
 * needs more: the seq writer on a collision, a read-position check by asking
 * the messages. Writing hints off the send path keeps a send to one `insertMany`
 * per round, which matters on a database where every update costs milliseconds.
 * Passes are paced (one every `intervalMs` at most): with hundreds of busy
 * groups, saving each after every round would cost the database more than
 * storing the messages. A hint read by another replica lags by that much at most.
 */
import type { Types } from 'mongoose';
import type { GroupModel } from '../db/models/group';

const CONCURRENCY = 4;
const RETRY_MS = 1000;
const INTERVAL_MS = 2000;

interface Hint {
  id: Types.ObjectId;
  last: number;
}

export class HintSaver {
  private readonly dirty = new Map<string, Hint>();

  private running: Promise<void> | undefined;

  private waitTimer: NodeJS.Timeout | undefined;

  /** No pass starts before this time (pacing, or a retry after a failure). */
  private notBefore = 0;

  private closed = false;

  constructor(
    private readonly groups: GroupModel,
    private readonly onError: (err: unknown) => void,
    private readonly intervalMs = INTERVAL_MS,
  ) {}

  /** Records that `group` has messages up to `last`. */
  mark(id: Types.ObjectId, last: number): void {
    this.keep({ id, last });
    this.kick();
  }

  /** The group is gone: nothing to save for it. */
  forget(group: string): void {
    this.dirty.delete(group);
  }

  /** Saves everything marked so far (one attempt; a database that is down is not waited for). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    await this.running;
    if (this.dirty.size > 0) await this.pass().catch(this.onError);
  }

  private kick(): void {
    if (this.running || this.waitTimer || this.closed || this.dirty.size === 0) return;
    const wait = this.notBefore - Date.now();
    if (wait > 0) {
      this.waitTimer = setTimeout(() => { this.waitTimer = undefined; this.kick(); }, wait);
      this.waitTimer.unref();
      return;
    }
    this.running = this.saveOnce().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  private async saveOnce(): Promise<void> {
    this.notBefore = Date.now() + this.intervalMs;
    try {
      await this.pass();
    } catch (err) {
      this.onError(err);
      this.notBefore = Math.max(this.notBefore, Date.now() + RETRY_MS);
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
