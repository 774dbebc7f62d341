/**
 * What session checks read, kept across calls: each user's `signedOutBefore`
 * and each session's owner, revocation and expiry. The chat servers re-check
 * the session of every socket they hold every 30 s (`POST /session/states`),
 * and on FerretDB one read of 200 users by `_id` `$in` scans the whole users
 * collection (about 0.45 s of database CPU with 2,000 users, measured in the
 * rate sweep), so without a cache the re-checks alone cost the database a
 * sixth of a core. The check of a socket's handshake (`GET /session/state`)
 * reads through the same cache, so a socket's first re-check finds its user
 * known.
 *
 * The guarantee, enforced here: a sign-out (a session revoked, all of a
 * user's, a password change) is answered as such at once by this process and
 * within 5 s by every other replica. Each sign-out, once stored, drops this
 * process's cache and announces itself on the `sign-outs` marker; the cache is
 * trusted as db/marker-watch.ts says. An answer is kept 10 minutes at most,
 * which bounds only a sign-out whose marker could not be written. Users that
 * do not exist are not kept.
 */
import mongoose from 'mongoose';
import { RecentMap } from '@chat/shared';
import { MarkerWatch, markerIn } from '../db/marker-watch';
import type { MarkerWatchOptions } from '../db/marker-watch';
import type { Models } from '../db/models';
import type { SessionDoc } from '../db/models/session';

export interface UserFacts { signedOutBefore: Date | null }
export type SessionFactsDoc = Pick<SessionDoc, 'up' | 'revokedAt' | 'expiresAt'>;

export const USER_FIELDS = { signedOutBefore: 1 } as const;
export const SESSION_FIELDS = { up: 1, revokedAt: 1, expiresAt: 1 } as const;

export interface Facts {
  userOf: Map<string, UserFacts>;
  sessionOf: Map<string, SessionFactsDoc>;
}

/** Documents by `_id`; a single id is read as `{_id}`, an index lookup on FerretDB too, where `$in` scans. */
async function byIds<T>(
  ids: readonly string[],
  one: (id: string) => Promise<T | null>,
  many: (ids: readonly string[]) => Promise<T[]>,
): Promise<T[]> {
  if (ids.length === 0) return [];
  if (ids.length > 1) return many(ids);
  const doc = await one(ids[0] as string);
  return doc ? [doc] : [];
}

/** A cached answer and when it was read. */
interface Kept<T> { facts: T; readAt: number }

export class SessionFacts {
  private readonly users: RecentMap<string, Kept<UserFacts>>;

  private readonly sessions: RecentMap<string, Kept<SessionFactsDoc>>;

  private readonly maxAgeMs: number;

  /** Bumped whenever the cache is dropped: a read in flight then is not kept. */
  private drops = 0;

  private readonly watch: MarkerWatch;

  constructor(
    private readonly models: Pick<Models, 'User' | 'Session' | 'Marker'>,
    options: MarkerWatchOptions & { maxEntries?: number; maxAgeMs?: number } = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 600000;
    this.users = new RecentMap(options.maxEntries ?? 100000);
    this.sessions = new RecentMap(options.maxEntries ?? 100000);
    this.watch = new MarkerWatch(markerIn(models.Marker, 'sign-outs'), () => this.drop(), options);
  }

  /** The facts of these users and sessions: cached ones while trusted, the rest read (two reads at most). */
  async read(ups: readonly string[], sids: readonly string[]): Promise<Facts> {
    const trusted = await this.watch.current().then(() => true, () => false);
    const startedAt = Date.now();
    const known = <T>(map: RecentMap<string, Kept<T>>, key: string): T | undefined => {
      const kept = trusted ? map.get(key) : undefined;
      return kept && startedAt - kept.readAt < this.maxAgeMs ? kept.facts : undefined;
    };
    // What is known is taken now, before the reads: a sign-out meanwhile drops the cache, not these answers.
    const userOf = new Map<string, UserFacts>();
    const sessionOf = new Map<string, SessionFactsDoc>();
    ups.forEach((up) => { const facts = known(this.users, up); if (facts) userOf.set(up, facts); });
    sids.forEach((sid) => { const facts = known(this.sessions, sid); if (facts) sessionOf.set(sid, facts); });
    const missingUps = ups.filter((up) => !userOf.has(up));
    const missingSids = sids.filter((sid) => !sessionOf.has(sid));
    const since = this.drops;
    const { User, Session } = this.models;
    const [users, sessions] = await Promise.all([
      byIds(
        missingUps,
        (id) => User.findById(id, USER_FIELDS).lean(),
        (ids) => User.find({ _id: mongoose.trusted({ $in: ids }) }, USER_FIELDS).lean(),
      ),
      byIds(
        missingSids,
        (id) => Session.findById(id, SESSION_FIELDS).lean(),
        (ids) => Session.find({ _id: mongoose.trusted({ $in: ids }) }, SESSION_FIELDS).lean(),
      ),
    ]);
    // What was just read is kept, with when it was read, unless the cache was dropped meanwhile.
    const keep = trusted && since === this.drops;
    users.forEach((u) => {
      const facts = { signedOutBefore: u.signedOutBefore ?? null };
      userOf.set(u._id, facts);
      if (keep) this.users.set(u._id, { facts, readAt: startedAt });
    });
    sessions.forEach((one) => {
      const facts = { up: one.up, revokedAt: one.revokedAt, expiresAt: one.expiresAt };
      sessionOf.set(one._id, facts);
      if (keep) this.sessions.set(one._id, { facts, readAt: startedAt });
    });
    return { userOf, sessionOf };
  }

  /** A sign-out was stored: drop what this process knows, and tell the other replicas. */
  async signedOut(): Promise<void> {
    this.drop();
    await this.watch.announce();
  }

  private drop(): void {
    this.drops += 1;
    this.users.clear();
    this.sessions.clear();
  }
}
