import { Schema } from 'mongoose';
import type { Connection, Model, Types } from 'mongoose';
import type { AttachmentRef } from '@chat/contract';
import { LIMITS, UP_PATTERN } from '@chat/shared';
import { textLength } from './text-length';

/** A stored message; `seq` is its place in the group (1, 2, 3, … without a gap). */
export interface MessageDoc {
  _id: Types.ObjectId;
  group: Types.ObjectId;
  seq: number;
  from: string;
  message: string;
  clientId: string;
  timestamp: Date;
  /** References to the files it carries; absent when none. */
  attachments?: AttachmentRef[];
}

const messageSchema = new Schema<MessageDoc>({
  group: { type: Schema.Types.ObjectId, required: true },
  seq: { type: Number, required: true, min: 1 },
  from: { type: String, required: true, match: UP_PATTERN },
  message: { type: String, required: true, validate: textLength(1, LIMITS.messageLength) },
  clientId: { type: String, required: true, validate: textLength(1, LIMITS.clientId) },
  timestamp: { type: Date, required: true },
  attachments: {
    type: [new Schema({
      id: String, name: String, size: Number, type: String, width: Number, height: Number, hasThumbnail: Boolean,
    }, { _id: false })],
    default: undefined,
  },
}, { versionKey: false, strict: 'throw' });

// The order guarantee: two writers can never both store seq N of a group.
messageSchema.index({ group: 1, seq: 1 }, { unique: true });
// The idempotency guarantee: a retried send finds the first copy instead of storing a second.
messageSchema.index({ group: 1, clientId: 1 }, { unique: true });

export type MessageModel = Model<MessageDoc>;
export const createMessageModel = (db: Connection): MessageModel => (
  db.model<MessageDoc>('Message', messageSchema, 'messages'));
