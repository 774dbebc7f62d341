/**
 * The outbox writer (docs/notifications.md, Storage): turns stored messages
 * into notification items, after the sender was acknowledged. The seq writer
 * hands it each round's stored messages; it reads the groups' members, their
 * presence and levels in a few queries per round, and inserts one item per
 * (member, message) that the rules keep. Items are keyed `<up>:<messageId>`
 * and inserted, never updated: writing one twice is harmless.
 *
 * Each group's mark records the newest seq turned into items. If this process
 * dies between the acknowledgement and the items, the sweep (at start and
 * every `sweepMs`, in every replica) finds groups whose messages run past
 * their mark and processes the missing recent ones.
 */
import mongoose, { Types } from 'mongoose';
import type winston from 'winston';
import {
  codePointLength, DEFAULT_NOTIFY_LEVEL, NOTIFY_LIMITS, RecentMap,
} from '@chat/shared';
import { BackgroundPieces, UPDATE_PIECES } from '../db/background-pieces';
import { MaxSaver } from '../db/max-saver';
import { WriteTurns } from '../db/write-turns';
import type { Models } from '../db/models';
import type { MessageDoc } from '../db/models/message';
import { INSERT_PIECES, insertNew } from './inserts';
import {
  itemId, levelId,
} from './models';
import type { NotifyItemDoc, NotifyModels } from './models';
import { decide, mentions } from './rules';

export type StoredDoc = Pick<MessageDoc, '_id' | 'group' | 'seq' | 'from' | 'message' | 'timestamp' | 'mentions' | 'replyTo'>;

export interface OutboxOptions {
  logger: winston.Logger;
  /** Wait before retrying a round that failed (the database was away). */
  retryMs?: number;
  /** How often the sweep looks for messages that were never turned into items. */
  sweepMs?: number;
  /** The sweep leaves messages younger than this to the live path. */
  settleMs?: number;
  /** The sweep never reaches back further than this (a deploy does not notify old history). */
  sweepWindowMs?: number;
  /**
   * How long stored messages are gathered, at least, before one pass turns them into items. A pass reads every
   * member of the groups concerned (a scan on FerretDB), so a busy room costs one pass per gathering, not one
   * per round. The wait also grows with what the last pass cost (PASS_SHARE), so passes never take more than a
   * tenth of the database's time, whatever it is.
   */
  gatherMs?: number;
  /** This process's write turns: marks and items are background writes. */
  turns?: WriteTurns;
  /**
   * How long `close` goes on turning what is queued into items. What is left then is the next start's sweep
   * (the marks saved cover only what was done), as after a crash: a stop after a busy minute need not wait for
   * every pass the pacing had put off.
   */
  closeDrainMs?: number;
}

/** Messages per round of the writer. */
const ROUND = 500;
/** Messages the sweep reads per group per pass. */
const SWEEP_DEPTH = 500;
/** Groups whose messages the sweep reads in one query. */
const SWEEP_GROUPS = 100;
/** Groups whose newest seq handed to the outbox this process remembers (the most recently written). */
const TAKEN_GROUPS = 100000;
/** After a pass that took T, the next waits at least T × this: passes use at most 1 / (1 + this) of the time. */
const PASS_SHARE = 9;

export function excerptOf(text: string): string {
  if (codePointLength(text) <= NOTIFY_LIMITS.excerpt) return text;
  return `${Array.from(text).slice(0, NOTIFY_LIMITS.excerpt - 1).join('')}…`;
}

export class Outbox {
  private queue: StoredDoc[] = [];

  private running: Promise<void> | null = null;

  private closed = false;

  private sweepTimer: NodeJS.Timeout | undefined;

  private retryTimer: { timer: NodeJS.Timeout; wake: () => void } | undefined;

  private readonly retryMs: number;

  private readonly settleMs: number;

  private readonly sweepWindowMs: number;

  private readonly gatherMs: number;

  private readonly closeDrainMs: number;

  /** When closing, passes stop starting after this (epoch ms). */
  private closeDeadline = Number.POSITIVE_INFINITY;

  private gatherTimer: { timer: NodeJS.Timeout; wake: () => void } | undefined;

  /** How long the last pass took (ms). */
  private lastPassMs = 0;

  /**
   * The newest seq handed to this outbox, per group (queued, in a pass or done): the live path has those.
   * The sweep reads a group's messages (a scan on FerretDB) only when neither this nor the saved mark covers
   * its hint.
   */
  private readonly taken = new RecentMap<string, number>(TAKEN_GROUPS);

  /** Each group's hint at the previous sweep, what was stored a whole sweep ago (none before the first sweep). */
  private hintsAtLastSweep: Map<string, number> | undefined;

  /** A pass's notification items, inserted in the background. */
  private readonly itemPieces: BackgroundPieces;

  /** Each group's mark, saved in the background (every `settleMs` at most): the sweep leaves younger messages alone. */
  private readonly marks: MaxSaver<string, 'seq'>;

  constructor(
    private readonly base: Models,
    private readonly n: NotifyModels,
    private readonly options: OutboxOptions,
  ) {
    this.retryMs = options.retryMs ?? 1000;
    this.settleMs = options.settleMs ?? 10000;
    this.sweepWindowMs = options.sweepWindowMs ?? 3600000;
    this.gatherMs = options.gatherMs ?? 0;
    this.closeDrainMs = options.closeDrainMs ?? 3000;
    const turns = options.turns ?? new WriteTurns();
    this.itemPieces = new BackgroundPieces(turns, INSERT_PIECES);
    const markPieces = new BackgroundPieces(turns, UPDATE_PIECES);
    this.marks = new MaxSaver({
      save: (marks) => markPieces.run(marks, (piece) => this.n.Mark.bulkWrite(piece.map(({ id, values }) => ({
        updateOne: { filter: { _id: id }, update: { $max: values }, upsert: true },
      })), { ordered: false })),
      onError: (err) => options.logger.warn('could not save notification marks; retrying', {
        error: err instanceof Error ? err.message : String(err),
      }),
      intervalMs: Math.min(10000, this.settleMs),
    });
  }

  /** Takes a round of stored messages; returns at once. */
  add(docs: readonly StoredDoc[]): void {
    if (this.closed || docs.length === 0) return;
    this.queue.push(...docs);
    docs.forEach((m) => {
      const group = String(m.group);
      this.taken.set(group, Math.max(this.taken.get(group) ?? 0, m.seq));
    });
    this.schedule();
  }

  /** The next pass, after the gathering wait; what arrives meanwhile joins it. */
  private schedule(): void {
    if (this.running || this.closed) return;
    // The senders' answers (resolved just before this call) go out first; then the round gathers others.
    this.running = new Promise<void>((resolve) => {
      const wait = Math.max(this.gatherMs, this.lastPassMs * PASS_SHARE);
      if (wait === 0) {
        setImmediate(resolve);
        return;
      }
      const wake = () => { this.gatherTimer = undefined; resolve(); };
      this.gatherTimer = { timer: setTimeout(wake, wait), wake };
    })
      .then(() => this.drain())
      .finally(() => {
        this.running = null;
        // What arrived during the pass waits for the next gathering.
        if (this.queue.length > 0) this.schedule();
      });
  }

  /** Sweeps once now, then every `sweepMs`. */
  startSweeping(): void {
    const every = this.options.sweepMs ?? 30000;
    const run = () => {
      this.sweep().catch((err: Error) => this.options.logger.warn('notification sweep failed', { error: err.message }))
        .finally(() => { if (!this.closed) this.sweepTimer = setTimeout(run, every); });
    };
    this.sweepTimer = setTimeout(run, 0);
  }

  /**
   * Takes nothing more and finishes what it holds, for `closeDrainMs` at most (and not while the database is
   * away): the pass under way ends, and a pass starts only before the deadline.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.closeDeadline = Date.now() + this.closeDrainMs;
    clearTimeout(this.sweepTimer);
    if (this.gatherTimer) {
      clearTimeout(this.gatherTimer.timer);
      this.gatherTimer.wake();
    }
    if (this.retryTimer) {
      clearTimeout(this.retryTimer.timer);
      this.retryTimer.wake();
    }
    await this.running;
    await this.marks.close();
  }

  /** Until nothing is queued (tests and close). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** One pass; when closing, the passes still queued, until the closing deadline. */
  private async drain(): Promise<void> {
    const more = () => this.closed && Date.now() < this.closeDeadline;
    for (let first = true; this.queue.length > 0 && (first || more()); first = false) {
      const round = this.queue.splice(0, ROUND);
      const started = Date.now();
      try {
        await this.process(round);
        this.lastPassMs = Date.now() - started;
      } catch (err) {
        this.options.logger.warn('could not write notifications; retrying', { error: (err as Error).message });
        if (this.closed) return; // The sweep of the next start finds them.
        this.queue.unshift(...round);
        await new Promise<void>((wake) => {
          this.retryTimer = { timer: setTimeout(wake, this.retryMs), wake };
        });
      }
    }
  }

  /** Items for every member a round of messages concerns, and each group's mark. */
  async process(messages: readonly StoredDoc[]): Promise<number> {
    const { Membership, Group, User } = this.base;
    const groupIds = [...new Set(messages.map((m) => String(m.group)))];
    const objectIds = groupIds.map((g) => new Types.ObjectId(g));
    // One read after another, not at once: on a database where each is a scan (FerretDB), a pass then keeps
    // one core at most, and the sends' inserts are not queued behind a burst of scans.
    const memberships = await Membership.find({ group: mongoose.trusted({ $in: objectIds }) }, { up: 1, group: 1 })
      .lean();
    const groups = await Group.find({ _id: mongoose.trusted({ $in: objectIds }) }, { name: 1 }).lean();
    const membersOf = new Map<string, string[]>();
    memberships.forEach((m) => {
      const g = String(m.group);
      membersOf.set(g, [...(membersOf.get(g) ?? []), m.up]);
    });
    const ups = [...new Set(memberships.map((m) => m.up))];
    const levelIds = memberships.map((m) => levelId(String(m.group), m.up));
    const users = ups.length
      ? await User.find({ _id: mongoose.trusted({ $in: ups }) }, { online: 1, username: 1 }).lean() : [];
    const levels = levelIds.length
      ? await this.n.Level.find({ _id: mongoose.trusted({ $in: levelIds }) }).lean() : [];
    const userOf = new Map(users.map((u) => [u._id, u]));
    const levelOf = new Map(levels.map((l) => [l._id, l.level]));
    const nameOf = new Map(groups.map((g) => [String(g._id), g.name]));

    const items: NotifyItemDoc[] = [];
    messages.forEach((m) => {
      const group = String(m.group);
      const groupName = nameOf.get(group);
      if (groupName === undefined) return; // Deleted meanwhile.
      (membersOf.get(group) ?? []).forEach((up) => {
        const user = userOf.get(up);
        if (up === m.from || !user) return;
        const verdict = decide({
          level: levelOf.get(levelId(group, up)) ?? DEFAULT_NOTIFY_LEVEL,
          online: user.online,
          // The members a message mentions are resolved when it is stored; older messages are read by their text.
          mentioned: m.mentions ? m.mentions.includes(up) : mentions(m.message, { up, username: user.username }),
          repliedTo: m.replyTo?.up === up && !m.replyTo.deleted,
        });
        if (!verdict) return;
        items.push({
          _id: itemId(up, String(m._id)),
          up,
          group,
          groupName,
          messageId: String(m._id),
          seq: m.seq,
          from: m.from,
          excerpt: excerptOf(m.message),
          reason: verdict.reason,
          timestamp: m.timestamp,
          push: verdict.push,
          sent: false,
        });
      });
    });
    const taken = await insertNew(this.n.Item, items, this.itemPieces);
    this.advanceMarks(messages);
    return items.length - taken.size;
  }

  private advanceMarks(messages: readonly StoredDoc[]): void {
    // Not atomic on every backend; a mark that goes back only makes the sweep redo items that exist.
    messages.forEach((m) => this.marks.mark(String(m.group), { seq: m.seq }));
  }

  /**
   * Recent messages past their group's mark, settled long enough that the live path is done with them. The
   * first sweep of a process looks at every group (what a crashed process left); later ones only at groups
   * whose messages have been past their mark for a whole sweep: a group created since the last sweep, or one
   * whose mark has caught up with its hint of the last sweep, is still on some replica's live path. The
   * messages of all the groups behind are read in one query per SWEEP_GROUPS groups (FerretDB scans the
   * collection once per query; MongoDB serves each group's part through the (group, seq) index).
   */
  async sweep(now = new Date()): Promise<number> {
    const { Group, Message } = this.base;
    const [groups, marks] = await Promise.all([
      Group.find({}, { lastSeq: 1 }).lean(),
      this.n.Mark.find({}).lean(),
    ]);
    const markOf = new Map(marks.map((m) => [m._id, m.seq]));
    const settled = now.getTime() - this.settleMs;
    const oldest = now.getTime() - this.sweepWindowMs;
    const lastHints = this.hintsAtLastSweep;
    this.hintsAtLastSweep = new Map(groups.map((g) => [String(g._id), g.lastSeq]));
    const behind = groups.flatMap((group) => {
      const id = String(group._id);
      const mark = Math.max(markOf.get(id) ?? 0, this.taken.get(id) ?? 0);
      // Only groups whose hint ran past the mark cost a read of messages (the hint is repaired by the next write).
      if (group.lastSeq <= mark) return [];
      if (lastHints && mark >= (lastHints.get(id) ?? 0)) return [];
      // Seqs have no gaps: this range holds SWEEP_DEPTH messages at most (a group far behind is finished later).
      const from = Math.max(mark, group.lastSeq - SWEEP_DEPTH);
      return [{ group: group._id, seq: mongoose.trusted({ $gt: from, $lte: from + SWEEP_DEPTH }) }];
    });
    let made = 0;
    for (let i = 0; i < behind.length; i += SWEEP_GROUPS) {
      const found = await Message.find({ $or: behind.slice(i, i + SWEEP_GROUPS) }).lean();
      const due = found.filter((m) => m.timestamp.getTime() <= settled && m.timestamp.getTime() >= oldest)
        .sort((a, b) => a.seq - b.seq);
      for (let k = 0; k < due.length; k += ROUND) made += await this.process(due.slice(k, k + ROUND));
    }
    return made;
  }
}
