import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import { LIMITS, UP_PATTERN } from '@chat/shared';
import { textLength } from './text-length';

/** A user, keyed by `up` so that every lookup by user number is an `{_id}` lookup. */
export interface UserDoc {
  _id: string;
  username: string;
  name: string;
  passwordHash: string;
  online: boolean;
  lastSeen: Date | null;
  createdAt: Date;
  /** Tokens issued before this are refused (sign out everywhere, password change). */
  signedOutBefore?: Date | null;
}

const userSchema = new Schema<UserDoc>({
  _id: { type: String, required: true, match: UP_PATTERN },
  username: { type: String, required: true, validate: textLength(1, LIMITS.username) },
  name: { type: String, required: true, validate: textLength(1, LIMITS.name) },
  passwordHash: { type: String, required: true },
  online: { type: Boolean, required: true, default: false },
  lastSeen: { type: Date, default: null },
  createdAt: { type: Date, required: true, default: () => new Date() },
  signedOutBefore: { type: Date, default: null },
}, { versionKey: false, strict: 'throw' });

// Login by username and the uniqueness rule both need this index.
userSchema.index({ username: 1 }, { unique: true });

export type UserModel = Model<UserDoc>;
export const createUserModel = (db: Connection): UserModel => db.model<UserDoc>('User', userSchema, 'users');

/** What never leaves the service: the projection every read of a user uses. */
export const PUBLIC_USER_FIELDS = {
  _id: 1, username: 1, name: 1, online: 1, lastSeen: 1, createdAt: 1,
} as const;
export type PublicUserDoc = Omit<UserDoc, 'passwordHash'>;
