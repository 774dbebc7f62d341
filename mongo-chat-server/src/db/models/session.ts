import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import { UP_PATTERN } from '@chat/shared';

/**
 * One sign-in (docs/design.md, Sessions): one document per session, found by
 * `_id` (the session id in the access token and the refresh token), so its
 * updates never race another session's. Only hashes of refresh tokens are kept:
 * the current one, and the ones rotated away (presenting one of those again
 * means a copied token, and revokes the session).
 */
export interface SessionDoc {
  _id: string;
  up: string;
  refreshHash: string;
  previousHashes: string[];
  createdAt: Date;
  refreshedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

const sessionSchema = new Schema<SessionDoc>({
  _id: { type: String, required: true },
  up: { type: String, required: true, match: UP_PATTERN },
  refreshHash: { type: String, required: true },
  previousHashes: { type: [String], default: [] },
  createdAt: { type: Date, required: true, default: () => new Date() },
  refreshedAt: { type: Date, required: true, default: () => new Date() },
  expiresAt: { type: Date, required: true },
  revokedAt: { type: Date, default: null },
}, { versionKey: false, strict: 'throw' });

// "Every session of a user" (sign out everywhere, password change).
sessionSchema.index({ up: 1 });

export type SessionModel = Model<SessionDoc>;
export const createSessionModel = (db: Connection): SessionModel => db.model<SessionDoc>('Session', sessionSchema, 'sessions');
