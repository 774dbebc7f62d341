/**
 * The digest worker (docs/notifications.md, Digests): one process at a time
 * (a lease in the database) gathers each offline user's pending items into
 * one digest, at most one new digest per user per `digestMs`, never during
 * their quiet hours, and hands it to the sender, retrying with exponential
 * back-off and jitter until a 2xx.
 *
 * The steps, each safe to repeat after a crash at any point:
 * 1. claim: one insert-only claim per item naming the digest (its id derived
 *    from its items). A claim already taken means another digest holds that
 *    item: this digest is abandoned (its own claims removed) and rebuilt.
 * 2. record the digest (unsent). Claims without their digest (a crash between
 *    1 and 2) are found and the digest is recorded from them.
 * 3. send; only after a 2xx record `sentAt`, then mark the items sent. A crash
 *    between the answer and `sentAt` sends the same digest again, same id.
 * So an item is delivered at least once, and never in two different digests.
 */
import crypto from 'node:crypto';
import mongoose from 'mongoose';
import type winston from 'winston';
import type { NotificationDigest, NotificationItem } from '@chat/shared';
import { NOTIFY_LIMITS } from '@chat/shared';
import { insertNew } from './inserts';
import type {
  NotifyDigestDoc, NotifyItemDoc, NotifyModels,
} from './models';
import { inQuietHours } from './rules';
import type { NotificationSender } from './sender';

export interface DigestWorkerOptions {
  sender: NotificationSender;
  logger: winston.Logger;
  /** At most one new digest per user per this. */
  digestMs: number;
  /** First retry after about this; each further one waits twice as long, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long the lease holds without renewal. */
  leaseMs: number;
  /** How often the worker looks for work. */
  tickMs?: number;
  /** Users sent to at once. */
  parallel?: number;
}

const LEASE_ID = 'digest-worker';

/** The digest id: derived from the user and the items, so the same items always make the same id. */
export function digestIdOf(up: string, items: readonly string[]): string {
  const hash = crypto.createHash('sha256').update(`${up}\n${[...items].sort().join('\n')}`).digest('hex');
  return `dg_${hash.slice(0, 32)}`;
}

/** Exponential back-off with jitter: about base·2^(attempt-1), between half and all of it, capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(full / 2 + (random() * full) / 2);
}

export const itemView = (doc: NotifyItemDoc): NotificationItem => ({
  id: doc._id,
  group: doc.group,
  groupName: doc.groupName,
  messageId: doc.messageId,
  seq: doc.seq,
  from: doc.from,
  excerpt: doc.excerpt,
  reason: doc.reason,
  timestamp: doc.timestamp.toISOString(),
});

async function mapLimited<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(task));
}

export class DigestWorker {
  private readonly holder = `${process.pid}-${crypto.randomBytes(6).toString('hex')}`;

  private timer: NodeJS.Timeout | undefined;

  private ticking: Promise<void> | null = null;

  private stopped = false;

  constructor(private readonly n: NotifyModels, private readonly options: DigestWorkerOptions) {}

  start(): void {
    const every = this.options.tickMs ?? Math.max(100, Math.min(1000, this.options.digestMs / 2));
    const loop = () => {
      this.ticking = this.tick()
        .catch((err: Error) => { this.options.logger.warn('digest worker pass failed', { error: err.message }); })
        .finally(() => {
          this.ticking = null;
          if (!this.stopped) this.timer = setTimeout(loop, every);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await this.n.Lease.updateOne({ _id: LEASE_ID, holder: this.holder }, { $set: { until: new Date(0) } })
      .catch(() => undefined);
  }

  /** Takes or renews the lease; true while this process holds it. */
  async holdLease(now = Date.now()): Promise<boolean> {
    const { Lease } = this.n;
    const until = new Date(now + this.options.leaseMs);
    const current = await Lease.findById(LEASE_ID).lean();
    if (!current) {
      const taken = await insertNew(Lease, [{ _id: LEASE_ID, holder: this.holder, until }]);
      return taken.size === 0;
    }
    if (current.holder !== this.holder && current.until.getTime() > now) return false;
    await Lease.updateOne(
      { _id: LEASE_ID, holder: current.holder, until: current.until },
      { $set: { holder: this.holder, until } },
    );
    // Updates are not atomic on every backend: read back who won. Two holders at once are still safe (claims).
    const after = await Lease.findById(LEASE_ID).lean();
    return after?.holder === this.holder;
  }

  /** One pass: resend what is due, recover interrupted digests, start new ones. */
  async tick(now = new Date()): Promise<void> {
    if (!await this.holdLease(now.getTime())) return;
    const { Item, Claim, Digest } = this.n;
    const pending = await Item.find({ push: true, sent: false }).lean();
    const open = await Digest.find({ sentAt: null }).lean();
    const claims = pending.length
      ? await Claim.find({ _id: mongoose.trusted({ $in: pending.map((i) => i._id) }) }).lean()
      : [];
    const openIds = new Set(open.map((d) => d._id));
    const claimed = new Map(claims.map((c) => [c._id, c.digest]));

    await this.settleStrays([...new Set(claims.map((c) => c.digest))].filter((d) => !openIds.has(d)));

    const openOf = new Map<string, NotifyDigestDoc>(open.map((d) => [d.up, d]));
    const fresh = new Map<string, NotifyItemDoc[]>();
    pending.filter((i) => !claimed.has(i._id)).forEach((i) => fresh.set(i.up, [...(fresh.get(i.up) ?? []), i]));
    const users = [...new Set([...openOf.keys(), ...fresh.keys()])];
    await mapLimited(users, this.options.parallel ?? 8, async (up) => {
      try {
        await this.serve(up, openOf.get(up), fresh.get(up) ?? [], now);
      } catch (err) {
        this.options.logger.warn('digest pass failed for a user', { up, error: (err as Error).message });
      }
    });
  }

  /**
   * Digests named by claims but not open: sent ones whose items were not yet
   * marked (a crash after the 2xx), or never recorded (a crash after claiming).
   */
  private async settleStrays(digestIds: string[]): Promise<void> {
    if (digestIds.length === 0) return;
    const { Item, Claim, Digest } = this.n;
    const known = await Digest.find({ _id: mongoose.trusted({ $in: digestIds }) }).lean();
    const knownIds = new Set(known.map((d) => d._id));
    await Promise.all(known.filter((d) => d.sentAt).map((d) => (
      Item.updateMany({ _id: mongoose.trusted({ $in: d.items }) }, { $set: { sent: true } }))));
    await Promise.all(digestIds.filter((id) => !knownIds.has(id)).map(async (id) => {
      const held = await Claim.find({ digest: id }).lean();
      if (held.length === 0) return;
      const first = held[0];
      if (!first) return;
      const now = new Date();
      await insertNew(Digest, [{
        _id: id,
        up: first.up,
        items: held.map((c) => c._id).sort(),
        createdAt: now,
        attempts: 0,
        nextAttemptAt: now,
        sentAt: null,
        lastError: null,
      }]);
    }));
  }

  private async serve(up: string, open: NotifyDigestDoc | undefined, fresh: NotifyItemDoc[], now: Date): Promise<void> {
    if (await this.quiet(up, now)) return;
    if (open) {
      if (open.nextAttemptAt.getTime() <= now.getTime()) await this.deliver(open, now);
      return;
    }
    if (fresh.length === 0) return;
    const state = await this.n.State.findById(up).lean();
    if (state && now.getTime() - state.lastDigestAt.getTime() < this.options.digestMs) return;
    const digest = await this.claim(up, fresh, now);
    if (digest) await this.deliver(digest, now);
  }

  private async quiet(up: string, now: Date): Promise<boolean> {
    const settings = await this.n.Settings.findById(up).lean();
    if (!settings?.quietStart || !settings.quietEnd) return false;
    return inQuietHours(now, settings.timeZone, { start: settings.quietStart, end: settings.quietEnd });
  }

  /** Claims the oldest items for one new digest and records it; null when another digest holds one of them. */
  private async claim(up: string, fresh: NotifyItemDoc[], now: Date): Promise<NotifyDigestDoc | null> {
    const items = [...fresh].sort((a, b) => a.messageId.localeCompare(b.messageId))
      .slice(0, NOTIFY_LIMITS.digestItems).map((i) => i._id).sort();
    const id = digestIdOf(up, items);
    const taken = await insertNew(this.n.Claim, items.map((item) => ({ _id: item, digest: id, up })));
    if (taken.size > 0) {
      await this.n.Claim.deleteMany({ _id: mongoose.trusted({ $in: items }), digest: id });
      return null;
    }
    const digest: NotifyDigestDoc = {
      _id: id, up, items, createdAt: now, attempts: 0, nextAttemptAt: now, sentAt: null, lastError: null,
    };
    await insertNew(this.n.Digest, [digest]);
    return (await this.n.Digest.findById(id).lean()) ?? digest;
  }

  private async deliver(digest: NotifyDigestDoc, now: Date): Promise<void> {
    const { Item, Digest, State } = this.n;
    const docs: NotifyItemDoc[] = await Item.find({ _id: mongoose.trusted({ $in: digest.items }) }).lean();
    const byId = new Map(docs.map((d) => [d._id, d]));
    const items = digest.items.flatMap((id) => {
      const doc = byId.get(id);
      return doc ? [itemView(doc)] : [];
    });
    if (items.length === 0) {
      await Digest.updateOne({ _id: digest._id }, { $set: { sentAt: now, lastError: 'no items left' } });
      return;
    }
    const payload: NotificationDigest = {
      id: digest._id, up: digest.up, createdAt: digest.createdAt.toISOString(), items,
    };
    try {
      await this.options.sender.send(payload);
    } catch (err) {
      const attempts = digest.attempts + 1;
      const wait = backoffMs(attempts, this.options.retryBaseMs, this.options.retryMaxMs);
      this.options.logger.warn('digest not delivered; retrying', {
        digest: digest._id, sender: this.options.sender.kind, attempts, retryInMs: wait, error: (err as Error).message,
      });
      await Digest.updateOne({ _id: digest._id }, {
        $set: { attempts, nextAttemptAt: new Date(Date.now() + wait), lastError: (err as Error).message },
      });
      return;
    }
    const sentAt = new Date();
    // The interval first: a crash after it resends this same digest, never an extra one early.
    await State.updateOne({ _id: digest.up }, { $set: { lastDigestAt: sentAt } }, { upsert: true });
    await Digest.updateOne({ _id: digest._id }, { $set: { sentAt, lastError: null } });
    await Item.updateMany({ _id: mongoose.trusted({ $in: digest.items }) }, { $set: { sent: true } });
    this.options.logger.info('digest delivered', {
      digest: digest._id, up: digest.up, items: items.length, attempts: digest.attempts + 1,
    });
  }
}
