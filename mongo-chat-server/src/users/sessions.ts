/**
 * Sessions (docs/design.md, Sessions): open one per sign-in, rotate its
 * refresh token, sign it out, sign out all of a user's, change a password.
 *
 * A refresh token is `<session id>.<secret>`; only the SHA-256 of the secret is
 * stored (a high-entropy random value needs no slow hash). Every read and write
 * of one session is by `{_id}`; two sessions never share a document, so the
 * database's non-atomic concurrent updates cannot mix them up. Two refreshes
 * racing with the same token may both succeed on such a database: the loser's
 * next refresh then presents a rotated-away token and signs the session out,
 * which errs on the safe side.
 */
import crypto from 'node:crypto';
import mongoose from 'mongoose';
import { AppError } from '@chat/shared';
import type { SessionGrant, SessionState } from '@chat/shared';
import type { Models } from '../db/models';
import type { SessionDoc } from '../db/models/session';
import type { Passwords } from './passwords';
import { SessionFacts } from './session-facts';

/** Rotated-away refresh tokens remembered per session (to detect a copy). */
const KEPT_PREVIOUS = 20;

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('base64url');
const sameHash = (a: string, b: string) => (
  a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b)));
const newSecret = () => crypto.randomBytes(32).toString('base64url');

const REFUSED = 'the refresh token is not valid; sign in again';

/** Signed out: the user is gone, or the session is unknown, another user's, revoked or expired. */
function stateOf(
  up: string,
  sid: string | undefined,
  user: { signedOutBefore?: Date | null } | null,
  session: Pick<SessionDoc, 'up' | 'revokedAt' | 'expiresAt'> | null,
): SessionState {
  const sessionGone = sid !== undefined
    && (!session || session.up !== up || session.revokedAt !== null || session.expiresAt.getTime() <= Date.now());
  return {
    revoked: !user || sessionGone,
    signedOutBefore: user?.signedOutBefore ? user.signedOutBefore.toISOString() : null,
  };
}

export function createSessionService(models: Models, passwords: Passwords) {
  const { Session, User } = models;
  const facts = new SessionFacts(models);

  const grant = (doc: Pick<SessionDoc, '_id' | 'up' | 'expiresAt'>, secret: string): SessionGrant => ({
    id: doc._id, up: doc.up, refreshToken: `${doc._id}.${secret}`, expiresAt: doc.expiresAt.toISOString(),
  });

  /**
   * Every live session of `up` but `keep` signed out (their ids answered, so the
   * chat servers refuse exactly those), and the user's tokens without a session
   * issued before now refused.
   */
  const signOutUser = async (up: string, keep?: string): Promise<{ signedOutBefore: string; sessions: string[] }> => {
    const now = new Date();
    const found = await User.updateOne({ _id: up }, { $set: { signedOutBefore: now } });
    if (found.matchedCount === 0) throw new AppError('NOT_FOUND', 'no such user');
    const live = await Session.find({ up, revokedAt: null }, { _id: 1 }).lean();
    const ids = live.map((s) => s._id).filter((id) => id !== keep);
    if (ids.length > 0) {
      await Session.updateMany({ _id: mongoose.trusted({ $in: ids }) }, { $set: { revokedAt: now } });
    }
    await facts.signedOut();
    return { signedOutBefore: now.toISOString(), sessions: ids };
  };

  return {
    async create(up: string, ttlSeconds: number): Promise<SessionGrant> {
      if (!(await User.exists({ _id: up }))) throw new AppError('NOT_FOUND', 'no such user');
      const secret = newSecret();
      const now = new Date();
      const doc: SessionDoc = {
        _id: crypto.randomBytes(18).toString('base64url'),
        up,
        refreshHash: sha256(secret),
        previousHashes: [],
        createdAt: now,
        refreshedAt: now,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
        revokedAt: null,
      };
      await Session.create(doc);
      return grant(doc, secret);
    },

    /** A new refresh token for the one given; a rotated-away one signs the session out. */
    async refresh(refreshToken: string): Promise<SessionGrant> {
      const dot = refreshToken.indexOf('.');
      if (dot <= 0) throw new AppError('UNAUTHORIZED', REFUSED);
      const id = refreshToken.slice(0, dot);
      const hash = sha256(refreshToken.slice(dot + 1));
      const doc = await Session.findById(id).lean();
      if (!doc || doc.revokedAt || doc.expiresAt.getTime() <= Date.now()) throw new AppError('UNAUTHORIZED', REFUSED);
      if (!sameHash(doc.refreshHash, hash)) {
        if (doc.previousHashes.some((old) => sameHash(old, hash))) {
          await Session.updateOne({ _id: id }, { $set: { revokedAt: new Date() } });
          await facts.signedOut();
          throw new AppError('UNAUTHORIZED', 'this refresh token was already used; the session is signed out');
        }
        throw new AppError('UNAUTHORIZED', REFUSED);
      }
      const secret = newSecret();
      await Session.updateOne({ _id: id }, {
        $set: {
          refreshHash: sha256(secret),
          previousHashes: [doc.refreshHash, ...doc.previousHashes].slice(0, KEPT_PREVIOUS),
          refreshedAt: new Date(),
        },
      });
      return grant(doc, secret);
    },

    /**
     * A session's state, from what this process knows (session-facts.ts) or read by `_id`. What it reads is kept,
     * so the chat servers' re-checks of the sockets this answer let in find it known.
     */
    async state(up: string, sid: string | undefined): Promise<SessionState> {
      const { userOf, sessionOf } = await facts.read([up], sid === undefined ? [] : [sid]);
      return stateOf(up, sid, userOf.get(up) ?? null, sid === undefined ? null : sessionOf.get(sid) ?? null);
    },

    /**
     * `state` of many at once, in order: from what this process knows of them (session-facts.ts), reading the
     * rest in one read of users and one of sessions at most.
     */
    async states(asked: ReadonlyArray<{ up: string; sid?: string }>): Promise<SessionState[]> {
      const ups = [...new Set(asked.map((a) => a.up))];
      const sids = [...new Set(asked.flatMap((a) => (a.sid === undefined ? [] : [a.sid])))];
      const { userOf, sessionOf } = await facts.read(ups, sids);
      return asked.map(({ up, sid }) => stateOf(
        up,
        sid,
        userOf.get(up) ?? null,
        sid === undefined ? null : sessionOf.get(sid) ?? null,
      ));
    },

    async revoke(id: string): Promise<void> {
      await Session.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: new Date() } });
      await facts.signedOut();
    },

    async revokeAll(up: string): Promise<{ signedOutBefore: string; sessions: string[] }> {
      return signOutUser(up);
    },

    async changePassword(up: string, input: { oldPassword: string; newPassword: string; keepSession?: string }) {
      const doc = await User.findById(up, { passwordHash: 1 }).lean();
      if (!doc) throw new AppError('NOT_FOUND', 'no such user');
      if (!(await passwords.verify(doc.passwordHash, input.oldPassword))) {
        throw new AppError('FORBIDDEN', 'the current password is wrong');
      }
      await User.updateOne({ _id: up }, { $set: { passwordHash: await passwords.hash(input.newPassword) } });
      return signOutUser(up, input.keepSession);
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
