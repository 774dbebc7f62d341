/**
 * What session checks read, kept across calls: each user's `signedOutBefore`
 * and each session's owner, revocation and expiry. The chat servers re-check
 * the session of every socket they hold every 30 s (`POST /session/states`),
 * and on FerretDB one read of 200 users by `_id` `$in` scans the whole users
 * collection (about 0.45 s of database CPU with 2,000 users, measured in the
 * rate sweep), so without a cache the re-checks alone cost the database a
 * sixth of a core.
 *
 * The guarantee, enforced here: a sign-out (a session revoked, all of a
 * user's, a password change) is answered as such at once by this process and
 * within 5 s by every other replica. Each sign-out, once stored, drops this
 * process's cache and announces itself on the `sign-outs` marker; the cache is
 * trusted as db/marker-watch.ts says. Users that do not exist are not kept.
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

export class SessionFacts {
  private readonly users: RecentMap<string, UserFacts>;

  private readonly sessions: RecentMap<string, SessionFactsDoc>;

  /** Bumped whenever the cache is dropped: a read in flight then is not kept. */
  private drops = 0;

  private readonly watch: MarkerWatch;

  constructor(
    private readonly models: Pick<Models, 'User' | 'Session' | 'Marker'>,
    options: MarkerWatchOptions & { maxEntries?: number } = {},
  ) {
    this.users = new RecentMap(options.maxEntries ?? 100000);
    this.sessions = new RecentMap(options.maxEntries ?? 100000);
    this.watch = new MarkerWatch(markerIn(models.Marker, 'sign-outs'), () => this.drop(), options);
  }

  /** The facts of these users and sessions: cached ones while trusted, the rest read (two reads at most). */
  async read(ups: readonly string[], sids: readonly string[]): Promise<Facts> {
    const trusted = await this.watch.current().then(() => true, () => false);
    const missingUps = trusted ? ups.filter((up) => this.users.get(up) === undefined) : [...ups];
    const missingSids = trusted ? sids.filter((sid) => this.sessions.get(sid) === undefined) : [...sids];
    const since = this.drops;
    const [users, sessions] = await Promise.all([
      missingUps.length > 0
        ? this.models.User.find({ _id: mongoose.trusted({ $in: missingUps }) }, USER_FIELDS).lean() : [],
      missingSids.length > 0
        ? this.models.Session.find({ _id: mongoose.trusted({ $in: missingSids }) }, SESSION_FIELDS).lean() : [],
    ]);
    const userOf = new Map<string, UserFacts>();
    const sessionOf = new Map<string, SessionFactsDoc>();
    users.forEach((u) => userOf.set(u._id, { signedOutBefore: u.signedOutBefore ?? null }));
    sessions.forEach((s) => sessionOf.set(s._id, { up: s.up, revokedAt: s.revokedAt, expiresAt: s.expiresAt }));
    if (trusted && since === this.drops) {
      userOf.forEach((facts, up) => this.users.set(up, facts));
      sessionOf.forEach((facts, sid) => this.sessions.set(sid, facts));
    }
    if (trusted) {
      ups.forEach((up) => { const known = this.users.get(up); if (known && !userOf.has(up)) userOf.set(up, known); });
      sids.forEach((sid) => {
        const known = this.sessions.get(sid);
        if (known && !sessionOf.has(sid)) sessionOf.set(sid, known);
      });
    }
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
