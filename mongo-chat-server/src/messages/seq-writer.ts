/**
 * The seq writer (docs/design.md, Order): the only code that stores messages.
 *
 * Sends are collected for one event-loop turn, and for as long as the previous
 * round is in flight, then stored as ONE ordered insertMany per round, each
 * group's messages with consecutive seqs after the group's last one. Rounds
 * run one at a time, so the writes of a group are serialized in this process.
 * The unique index (group, seq) is the real guarantee between processes: when
 * another replica took a seq first, the insert stops with a duplicate key, the
 * writer learns where that group stands and places the rest after it. The
 * unique index (group, clientId) makes a retried send return the first copy.
 *
 * Every change to a group's timeline goes through here too (`change`), so
 * new messages, edits, deletes and reactions of a group are applied one at a
 * time in this process, each with the group's next revision (`rev`), claimed
 * in RevClaims before the write (docs/design.md, One change stream per group);
 * a group written by this process alone has its next revisions claimed ahead,
 * so most rounds write the messages only.
 *
 * Each group's last seq is cached here (set before a send is acknowledged;
 * valid while this process is the one writing; a collision corrects it) and
 * saved on the group document as a hint, in the background (MaxSaver), with
 * the group's last claimed revision beside it, so no one has to scan messages
 * or revision claims to learn where a group stands. Each round's senders
 * have read their own messages: SenderReads moves their positions, saved in
 * the background as well.
 */
import crypto from 'node:crypto';
import { Types } from 'mongoose';
import { AppError, RecentMap, searchTextOf } from '@chat/shared';
import { BackgroundPieces, UPDATE_PIECES } from '../db/background-pieces';
import { MaxSaver } from '../db/max-saver';
import { WriteTurns } from '../db/write-turns';
import type { Models } from '../db/models';
import type { MessageDoc } from '../db/models/message';
import { isDuplicateKey, writtenBeforeError } from '../errors';
import type { WriterMetrics } from '../metrics';
import { GroupPart } from './group-part';
import type { Draft, Pending, WriteResult } from './group-part';
import { RevClaims } from './rev-claims';
import { SenderReads } from './sender-reads';

export type { Draft, WriteResult };

export interface SeqWriterOptions {
  metrics?: WriterMetrics;
  /** Told when moving senders' read positions fails (the sends still succeed). */
  onReadError?: (err: unknown) => void;
  /** Told when saving hints fails (they are retried). */
  onHintError?: (err: unknown) => void;
  /** Largest insertMany. */
  maxBatch?: number;
  /** Rounds of collisions with other writers before giving up on a batch (503). */
  maxAttempts?: number;
  /** Groups whose last seq is remembered. */
  cacheSize?: number;
  /** Told each round's newly stored messages, after their senders were answered (notifications). */
  onStored?: (docs: MessageDoc[]) => void;
  /** This process's write turns: rounds and changes go in the foreground, saved hints in the background. */
  turns?: WriteTurns;
}

export class SeqWriter {
  private waiting: Pending[] = [];

  private running = false;

  private readonly lastSeq: RecentMap<string, number>;

  private readonly idle = new Set<() => void>();

  private readonly maxBatch: number;

  private readonly maxAttempts: number;

  private readonly cacheSize: number;

  private readonly hints: MaxSaver<Types.ObjectId, 'lastSeq' | 'lastRev'>;

  /** Changes other than new messages, run one at a time between rounds. */
  private tasks: Array<() => Promise<void>> = [];

  /** The group revisions this writer claims. */
  readonly revs: RevClaims;

  private readonly turns: WriteTurns;

  /** Senders' read positions, moved to their messages, saved in the background. */
  readonly senderReads: SenderReads;

  constructor(private readonly models: Models, private readonly options: SeqWriterOptions = {}) {
    this.turns = options.turns ?? new WriteTurns();
    // A hint is a starting point, never ahead of the messages ($max of stored seqs): one that lags is
    // corrected by whoever needs more (this writer on a collision, a read-position check by the messages).
    const hintPieces = new BackgroundPieces(this.turns, UPDATE_PIECES);
    this.hints = new MaxSaver({
      save: (marks) => hintPieces.run(marks, (piece) => models.Group.bulkWrite(piece.map(({ id, values }) => ({
        updateOne: { filter: { _id: id }, update: { $max: values } },
      })), { ordered: false })),
      onError: options.onHintError ?? (() => undefined),
      // An update costs the test database about nine inserts (FerretDB: 4.5 ms of CPU against 0.5): a hint of
      // every busy group every 2 s cost about as much as storing their messages. Other replicas see it 10 s late.
      intervalMs: 10000,
    });
    this.maxBatch = options.maxBatch ?? 500;
    this.maxAttempts = options.maxAttempts ?? 50;
    this.cacheSize = options.cacheSize ?? 10000;
    this.lastSeq = new RecentMap(this.cacheSize);
    this.revs = new RevClaims(models.Revision, {
      read: async (group) => (await this.readHint(group)).lastRev,
      mark: (group, last) => this.hints.mark(group, { lastRev: last }),
    }, { maxAttempts: this.maxAttempts, cacheSize: this.cacheSize });
    this.senderReads = new SenderReads(models, {
      onError: options.onReadError ?? (() => undefined), turns: this.turns,
    });
  }

  /**
   * Runs `task` (a change to a group's timeline: an edit, a delete, a
   * reaction) in turn with every other write of this process: no other change
   * or round runs meanwhile, so the revisions it claims are written in order.
   */
  change<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.tasks.push(() => task().then(resolve, reject));
      this.kick();
    });
  }

  private kick(): void {
    if (!this.running) {
      this.running = true;
      // The rest of this turn's sends join the same round.
      setImmediate(() => { void this.drain(); });
    }
  }

  /**
   * Stores one message in `group`. The caller checks that its sender may send there: before submitting, or in
   * `ready`, which the round waits for after claiming revisions and before giving seqs (so the check and the claim
   * take one wait, not two); a refusal in `ready` fails this send alone.
   */
  submit(group: string, draft: Draft, ready?: Promise<void>): Promise<WriteResult> {
    // Awaited by the round, unless the round fails first: never an unhandled rejection.
    ready?.catch(() => undefined);
    return new Promise<WriteResult>((resolve, reject) => {
      const clientId = draft.clientId ?? crypto.randomUUID();
      this.waiting.push({
        group, draft: { ...draft, clientId }, ready, resolve, reject,
      });
      this.kick();
    });
  }

  /** The last seq this process knows it stored or saw in `group`, if any. */
  knownLastSeq(group: string): number | undefined {
    return this.lastSeq.get(group);
  }

  /** Drops what is remembered about a deleted group. */
  forget(group: string): void {
    this.lastSeq.delete(group);
    this.hints.forget(group);
    this.revs.forget(group);
  }

  /** Settles every submitted message and saves the hints (and read positions); no send may come after. */
  async close(): Promise<void> {
    if (this.running) await new Promise<void>((resolve) => { this.idle.add(resolve); });
    this.turns.endSends();
    await Promise.all([this.hints.close(), this.senderReads.close()]);
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0 || this.tasks.length > 0) {
      if (this.waiting.length > 0) {
        const round = this.waiting.splice(0, this.maxBatch);
        await this.turns.foreground(() => this.round(round));
      }
      const tasks = this.tasks.splice(0);
      for (const task of tasks) await this.turns.foreground(task);
    }
    this.running = false;
    this.idle.forEach((resolve) => resolve());
    this.idle.clear();
  }

  private async round(round: Pending[]): Promise<void> {
    const parts = await this.partsOf(round);
    try {
      await this.writeRound(parts);
    } catch (err) {
      parts.forEach((part, group) => {
        this.lastSeq.delete(group);
        this.revs.forget(group);
        part.todo.forEach((p) => this.fail(part, p, err));
      });
    }
  }

  /**
   * Claims a revision for each send of the round that has none yet, in send order: ONE insert for every group
   * of the round, made before the messages are inserted (never at the same time: on SQLite, FerretDB's storage,
   * concurrent writers wait on a lock with back-off sleeps, and rounds doing two writes at once collapsed the
   * throughput). A revision another writer took is skipped and claimed again, before anything carries it.
   */
  private async claimRevs(parts: GroupPart[]): Promise<void> {
    const unclaimed = parts.map((part) => ({ part, todo: part.todo.filter((p) => p.rev === undefined) }))
      .filter(({ todo }) => todo.length > 0);
    const revs = await this.revs.claimMany(unclaimed.map(({ part, todo }) => ({ group: part.id, count: todo.length })));
    unclaimed.forEach(({ todo }, i) => todo.forEach((p, k) => { Object.assign(p, { rev: revs[i]![k] }); }));
  }

  /** Splits a round by group, with each group's last seq; sends to a group that is gone fail here. */
  private async partsOf(round: Pending[]): Promise<Map<string, GroupPart>> {
    const parts = new Map<string, GroupPart>();
    round.forEach((p) => {
      let part = parts.get(p.group);
      if (!part) {
        part = new GroupPart(new Types.ObjectId(p.group));
        parts.set(p.group, part);
      }
      part.add(p);
    });
    await Promise.all([...parts].map(async ([group, part]) => {
      try {
        const known = this.lastSeq.get(group);
        if (known !== undefined) {
          part.moveTo(known);
        } else {
          // One read of the group document tells where both its seqs and its revisions stand.
          const hint = await this.readHint(part.id);
          part.moveTo(hint.lastSeq);
          this.revs.seed(group, hint.lastRev);
        }
      } catch (err) {
        part.todo.forEach((p) => this.fail(part, p, err));
        parts.delete(group);
      }
    }));
    return parts;
  }

  private async writeRound(parts: Map<string, GroupPart>): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const order = [...parts.values()].filter((part) => part.todo.length > 0);
      if (order.length === 0) return;
      if (attempt > this.maxAttempts) {
        throw new AppError('UNAVAILABLE', 'too many concurrent writers for these groups; retry');
      }
      await this.claimRevs(order);
      await this.admit(order);
      const docs = order.flatMap((part) => part.todo.map((p, i): [GroupPart, Pending, MessageDoc] => [part, p, {
        _id: new Types.ObjectId(),
        group: part.id,
        seq: part.last + i + 1,
        timestamp: new Date(),
        rev: p.rev,
        ...p.draft,
      }]));
      // What search reads (docs/search.md), stored with the message.
      for (const [, , doc] of docs) doc.searchText = searchTextOf(doc.message);
      const stored = await this.insertInOrder(docs.map(([, , doc]) => doc));
      const storedDocs = docs.slice(0, stored);
      const done = new Set<Pending>();
      const touched = new Set<GroupPart>();
      for (const [part, p, doc] of storedDocs) {
        part.moveTo(doc.seq);
        done.add(p);
        touched.add(part);
      }
      touched.forEach((part) => {
        // Before the sends are acknowledged: readers here see lastSeq ≥ every acknowledged seq.
        this.remember(String(part.id), part.last);
        this.hints.mark(part.id, { lastSeq: part.last });
      });
      storedDocs.forEach(([part, p, doc]) => this.succeed(part, p, doc, true));
      if (stored > 0) {
        this.options.metrics?.batchStored(stored);
        const storedMessages = storedDocs.map(([, , doc]) => doc);
        this.senderReads.add(storedMessages);
        this.options.onStored?.(storedMessages);
      }
      touched.forEach((part) => part.settled(done));

      const clash = docs[stored];
      if (!clash) return;
      await this.resolveClash(parts, ...clash);
    }
  }

  /**
   * Waits until the round's sends may be stored (their senders' checks ran beside the revision claims). A refused
   * send fails here, before any seq is given, so seqs keep no gap; the revision claimed for it stays unused, a gap
   * in `rev`, which costs a buffer miss, never a wrong answer.
   */
  private async admit(parts: GroupPart[]): Promise<void> {
    for (;;) {
      // A refused send's place goes to a send that waited on its clientId, which may still be checked.
      const checked = parts.flatMap((part) => part.todo.flatMap((p) => (p.ready ? [{ part, p, ready: p.ready }] : [])));
      if (checked.length === 0) return;
      const outcomes = await Promise.allSettled(checked.map(({ ready }) => ready));
      checked.forEach(({ part, p }, i) => {
        const outcome = outcomes[i];
        Object.assign(p, { ready: undefined });
        if (outcome?.status === 'rejected') {
          part.refuse(p);
          p.reject(outcome.reason);
        }
      });
    }
  }

  /** Settles the send that hit a duplicate key, or moves its group past the seq another writer took. */
  private async resolveClash(parts: Map<string, GroupPart>, part: GroupPart, p: Pending, doc: MessageDoc) {
    let outcome: Awaited<ReturnType<SeqWriter['explainClash']>>;
    try {
      outcome = await this.explainClash(part.id, doc);
    } catch (err) {
      // E.g. the group was deleted meanwhile: its sends fail, the other groups go on.
      part.todo.forEach((q) => this.fail(part, q, err));
      this.lastSeq.delete(String(part.id));
      parts.delete(String(part.id));
      return;
    }
    if ('first' in outcome) {
      this.succeed(part, p, outcome.first, false);
      part.settled(new Set([p]));
    } else {
      this.options.metrics?.seqConflict();
      // Another writer stores in this group: no revisions claimed ahead there for a while, and none claimed
      // before its writes is stored after them.
      this.revs.contended(String(part.id));
      part.reclaimRevs();
      part.moveTo(outcome.last);
      this.remember(String(part.id), outcome.last);
    }
  }

  /** One ordered insertMany; how many documents went in before a duplicate key stopped it. */
  private async insertInOrder(docs: MessageDoc[]): Promise<number> {
    try {
      // Straight to the driver: the documents are built here from input the route validated, with the
      // schema's types, so mongoose's per-document casting and bookkeeping would only cost CPU per message.
      await this.models.Message.collection.insertMany(docs, { ordered: true });
      return docs.length;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return writtenBeforeError(err);
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
    const hint = (await this.readHint(group)).lastSeq;
    if (hint >= doc.seq) return { last: hint };
    const first = await this.models.Message.findOne({ group, clientId: doc.clientId }).lean();
    if (first) {
      // Maybe the retry of a send whose writer died before saving the hint: make sure it covers it.
      this.hints.mark(group, { lastSeq: first.seq });
      return { first };
    }
    // The hint lags behind (its writer has not saved it yet, or died first):
    // ask the messages themselves, through the (group, seq) index, and repair the hint.
    const newest = await this.models.Message.findOne({ group }, { seq: 1 }).sort({ seq: -1 }).lean();
    const last = Math.max(doc.seq, newest?.seq ?? 0);
    this.hints.mark(group, { lastSeq: last });
    return { last };
  }

  private succeed(part: GroupPart, p: Pending, message: MessageDoc, created: boolean): void {
    this.answer(p, message, created);
    part.followers.get(p.draft.clientId)?.forEach((f) => this.answer(f, message, false));
  }

  private fail(part: GroupPart, p: Pending, err: unknown): void {
    p.reject(err);
    part.followers.get(p.draft.clientId)?.forEach((f) => f.reject(err));
  }

  private answer(p: Pending, message: MessageDoc, created: boolean): void {
    if (!created && message.from !== p.draft.from) {
      p.reject(new AppError('CONFLICT', 'this clientId was already used by another sender in the group'));
      return;
    }
    p.resolve({ message, created });
  }

  /** The group document's hints: a seq stored and a revision claimed, each maybe behind the last. */
  private async readHint(group: Types.ObjectId): Promise<{ lastSeq: number; lastRev: number }> {
    const doc = await this.models.Group.findById(group, { lastSeq: 1, lastRev: 1 }).lean();
    if (!doc) throw new AppError('NOT_FOUND', 'no such group');
    return { lastSeq: doc.lastSeq, lastRev: doc.lastRev ?? 0 };
  }

  private remember(group: string, last: number): void {
    this.lastSeq.set(group, last);
  }
}
