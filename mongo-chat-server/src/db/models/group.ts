import { Schema } from 'mongoose';
import type { Connection, Model, Types } from 'mongoose';
import { LIMITS, UP_PATTERN } from '@chat/shared';
import { textLength } from './text-length';

/**
 * A group. Its members live in the membership collection (one document per
 * member: concurrent joins never rewrite a shared array). `lastSeq` is a hint
 * kept by the seq writer, read by `_id`, that never runs ahead of the messages.
 */
export interface GroupDoc {
  _id: Types.ObjectId;
  name: string;
  createdBy: string | null;
  lastSeq: number;
  createdAt: Date;
  updatedAt: Date;
}

const groupSchema = new Schema<GroupDoc>({
  name: { type: String, required: true, validate: textLength(1, LIMITS.groupName) },
  createdBy: { type: String, default: null, match: UP_PATTERN },
  lastSeq: {
    type: Number, required: true, default: 0, min: 0,
  },
  createdAt: { type: Date, required: true, default: () => new Date() },
  updatedAt: { type: Date, required: true, default: () => new Date() },
}, { versionKey: false, strict: 'throw' });

export type GroupModel = Model<GroupDoc>;
export const createGroupModel = (db: Connection): GroupModel => db.model<GroupDoc>('Group', groupSchema, 'groups');
