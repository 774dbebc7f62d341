/**
 * The seq writer (DESIGN.md decision 3): the only code that stores messages.
 *
 * Writes to one group are serialized in this process and batched: everything
 * that arrives for a group while its previous batch is in flight (or within the
 * same event-loop turn) goes out as ONE ordered insertMany with consecutive
 * seqs. The unique index (group, seq) is the real guarantee: when another
 * replica took a seq first, the insert fails with a duplicate key, the writer
 * reloads where the group stands and places the rest after it. The unique
 * index (group, clientId) makes a retried send return the first stored copy.
 *
 * Each group's last seq is cached here (valid while this process is the one
 * writing; a collision corrects it) and saved on the group document as a hint
 * that never runs ahead of the stored messages, so no one has to scan messages
 * to learn where a group stands.
 */
import crypto from 'node:crypto';
import { Types } from 'mongoose';
import { AppError } from '@chat/shared';
import type { Models } from '../db/models';
import type { MessageDoc } from '../db/models/message';
import { isDuplicateKey } from '../errors';
import type { WriterMetrics } from '../metrics';

export interface Draft {
  from: string;
  message: string;
  /** Idempotency key; one is generated when the sender gave none. */
  clientId?: string;
}

export interface WriteResult {
  message: MessageDoc;
  /** False when this was a retry and `message` is the copy stored first. */
  created: boolean;
}

interface Pending {
  draft: Required<Draft>;
  resolve: (result: WriteResult) => void;
  reject: (err: unknown) => void;
}

interface GroupQueue {
  waiting: Pending[];
  busy: boolean;
}

export interface SeqWriterOptions {
  metrics?: WriterMetrics;
  /** Largest insertMany. */
  maxBatch?: number;
  /** Rounds of collisions with other writers before giving up on a batch (503). */
  maxAttempts?: number;
  /** Groups whose last seq is remembered. */
  cacheSize?: number;
}

const lastInsertedIndex = (err: unknown): number => {
  // With ordered: true the documents before the first failing one are stored.
  const { writeErrors } = err as { writeErrors?: unknown };
  const first: unknown = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
  const index = (first as { index?: unknown } | undefined)?.index;
  return typeof index === 'number' ? index : 0;
};

export class SeqWriter {
  private readonly queues = new Map<string, GroupQueue>();

  private readonly lastSeq = new Map<string, number>();

  private readonly idle = new Set<() => void>();

  private readonly maxBatch: number;

  private readonly maxAttempts: number;

  private readonly cacheSize: number;

  constructor(private readonly models: Models, private readonly options: SeqWriterOptions = {}) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxAttempts = options.maxAttempts ?? 50;
    this.cacheSize = options.cacheSize ?? 10000;
  }

  /** Stores one message in `group` (whose existence and membership the caller checked). */
  submit(group: string, draft: Draft): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      let queue = this.queues.get(group);
      if (!queue) {
        queue = { waiting: [], busy: false };
        this.queues.set(group, queue);
      }
      const clientId = draft.clientId ?? crypto.randomUUID();
      queue.waiting.push({ draft: { ...draft, clientId }, resolve, reject });
      if (!queue.busy) {
        queue.busy = true;
        // The rest of this turn's sends to the group join the same batch.
        setImmediate(() => { void this.drainGroup(group); });
      }
    });
  }

  /** The last seq this process knows it stored or saw in `group`, if any. */
  knownLastSeq(group: string): number | undefined {
    return this.lastSeq.get(group);
  }

  /** Drops what is remembered about a deleted group. */
  forget(group: string): void {
    this.lastSeq.delete(group);
  }

  /** Resolves once every submitted message is settled. */
  whenIdle(): Promise<void> {
    if (this.queues.size === 0) return Promise.resolve();
    return new Promise((resolve) => { this.idle.add(resolve); });
  }

  private async drainGroup(group: string): Promise<void> {
    const queue = this.queues.get(group);
    if (!queue) return;
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0, this.maxBatch);
      try {
        await this.writeBatch(group, batch);
      } catch (err) {
        this.lastSeq.delete(group);
        batch.forEach((p) => p.reject(err));
      }
    }
    this.queues.delete(group);
    if (this.queues.size === 0) {
      this.idle.forEach((resolve) => resolve());
      this.idle.clear();
    }
  }

  private async writeBatch(group: string, batch: Pending[]): Promise<void> {
    // A clientId twice in one batch: the later sends are retries of the first.
    const firstByClient = new Map<string, Pending[]>();
    let todo: Pending[] = [];
    batch.forEach((p) => {
      const same = firstByClient.get(p.draft.clientId);
      if (same) same.push(p);
      else { firstByClient.set(p.draft.clientId, [p]); todo.push(p); }
    });
    const settle = (p: Pending, message: MessageDoc, created: boolean) => {
      const [first, ...retries] = firstByClient.get(p.draft.clientId) ?? [p];
      this.answer(first ?? p, message, created);
      retries.forEach((r) => this.answer(r, message, false));
    };

    const groupId = new Types.ObjectId(group);
    let last = await this.currentLastSeq(group);
    for (let attempt = 1; todo.length > 0; attempt += 1) {
      if (attempt > this.maxAttempts) {
        throw new AppError('UNAVAILABLE', 'too many concurrent writers for this group; retry');
      }
      const { docs, stored } = await this.insertInOrder(groupId, last, todo);
      if (stored > 0) {
        last += stored;
        // Before anyone hears of the new messages, so every reader (any replica) sees lastSeq ≥ their seq.
        this.remember(group, last);
        await this.saveHint(groupId, last);
        this.options.metrics?.batchStored(stored);
      }
      for (let i = 0; i < stored; i += 1) {
        const [p, doc] = [todo[i], docs[i]];
        if (p && doc) settle(p, doc, true);
      }
      const clash = todo[stored];
      const clashDoc = docs[stored];
      if (!clash || !clashDoc) break;
      const outcome = await this.explainClash(groupId, clashDoc);
      if ('first' in outcome) {
        settle(clash, outcome.first, false);
        todo = todo.slice(stored + 1);
      } else {
        this.options.metrics?.seqConflict();
        last = outcome.last;
        this.remember(group, last);
        todo = todo.slice(stored);
      }
    }
  }

  /**
   * Why `doc` hit a duplicate key: another writer holds its seq (answer: where
   * the group stands now), or its clientId was stored before (answer: that
   * first copy). The cheap `{_id}` read of the hint settles the usual case,
   * a seq taken by another replica; the messages are asked only otherwise.
   */
  private async explainClash(
    group: Types.ObjectId,
    doc: MessageDoc,
  ): Promise<{ last: number } | { first: MessageDoc }> {
    const hint = await this.readHint(group);
    if (hint >= doc.seq) return { last: hint };
    const first = await this.models.Message.findOne({ group, clientId: doc.clientId }).lean();
    if (first) {
      // Maybe the retry of a send whose hint update failed: make sure the hint covers it.
      await this.saveHint(group, first.seq);
      return { first };
    }
    // The hint lags behind (its writer has not saved it yet, or died first):
    // ask the messages themselves, through the (group, seq) index.
    const newest = await this.models.Message.findOne({ group }, { seq: 1 }).sort({ seq: -1 }).lean();
    return { last: Math.max(doc.seq, newest?.seq ?? 0) };
  }

  /** One ordered insertMany at seqs after `last`; how many went in before a duplicate key stopped it. */
  private async insertInOrder(
    group: Types.ObjectId,
    last: number,
    todo: Pending[],
  ): Promise<{ docs: MessageDoc[]; stored: number }> {
    const timestamp = new Date();
    const docs: MessageDoc[] = todo.map((p, i) => ({
      _id: new Types.ObjectId(), group, seq: last + i + 1, timestamp, ...p.draft,
    }));
    try {
      await this.models.Message.insertMany(docs, { ordered: true });
      return { docs, stored: docs.length };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return { docs, stored: lastInsertedIndex(err) };
    }
  }

  private answer(p: Pending, message: MessageDoc, created: boolean): void {
    if (!created && message.from !== p.draft.from) {
      p.reject(new AppError('CONFLICT', 'this clientId was already used by another sender in the group'));
      return;
    }
    p.resolve({ message, created });
  }

  private async currentLastSeq(group: string): Promise<number> {
    return this.lastSeq.get(group) ?? this.readHint(new Types.ObjectId(group));
  }

  private async readHint(group: Types.ObjectId): Promise<number> {
    const doc = await this.models.Group.findById(group, { lastSeq: 1 }).lean();
    if (!doc) throw new AppError('NOT_FOUND', 'no such group');
    return doc.lastSeq;
  }

  /**
   * Raises the group's hint to `last` (never lowers it). A failure fails the
   * batch unacknowledged; the sender's retry finds its stored copy by clientId
   * and raises the hint then.
   */
  private async saveHint(group: Types.ObjectId, last: number): Promise<void> {
    await this.models.Group.updateOne({ _id: group }, { $max: { lastSeq: last } });
  }

  private remember(group: string, last: number): void {
    this.lastSeq.delete(group);
    this.lastSeq.set(group, last);
    if (this.lastSeq.size > this.cacheSize) {
      const oldest = this.lastSeq.keys().next();
      if (!oldest.done) this.lastSeq.delete(oldest.value);
    }
  }
}
