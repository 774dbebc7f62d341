import { Schema } from 'mongoose';
import type { Connection, Model, Types } from 'mongoose';
import { LIMITS, UP_PATTERN } from '@chat/shared';
import { textLength } from './text-length';

/**
 * A group. Its members live in the membership collection (one document per
 * member: concurrent joins never rewrite a shared array). `lastSeq` and
 * `lastRev` are hints kept by the seq writer, read by `_id`: a seq stored and
 * a revision claimed, never ahead of the messages and the claims (a document
 * stored before revisions had hints has no `lastRev`: 0).
 * `owner` is the one source of truth of who owns the group (docs/design.md,
 * Roles): a single field written by `_id`, so two owners cannot exist. A
 * document stored before roles existed has none until the migration runs.
 */
export interface GroupDoc {
  _id: Types.ObjectId;
  name: string;
  createdBy: string | null;
  owner?: string | null;
  lastSeq: number;
  lastRev?: number;
  createdAt: Date;
  updatedAt: Date;
}

const groupSchema = new Schema<GroupDoc>({
  name: { type: String, required: true, validate: textLength(1, LIMITS.groupName) },
  createdBy: { type: String, default: null, match: UP_PATTERN },
  owner: { type: String, default: null, match: UP_PATTERN },
  lastSeq: {
    type: Number, required: true, default: 0, min: 0,
  },
  lastRev: { type: Number, min: 0 },
  createdAt: { type: Date, required: true, default: () => new Date() },
  updatedAt: { type: Date, required: true, default: () => new Date() },
}, { versionKey: false, strict: 'throw' });

export type GroupModel = Model<GroupDoc>;
export const createGroupModel = (db: Connection): GroupModel => db.model<GroupDoc>('Group', groupSchema, 'groups');
