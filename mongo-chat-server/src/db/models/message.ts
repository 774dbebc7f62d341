import { Schema } from 'mongoose';
import type { Connection, Model, Types } from 'mongoose';
import type { AttachmentRef } from '@chat/contract';
import { LIMITS, UP_PATTERN } from '@chat/shared';
import { textLength } from './text-length';

/** The quote a reply carries of the message it answers. */
export interface ReplyQuoteDoc {
  id: Types.ObjectId;
  seq: number;
  up: string;
  excerpt?: string;
  deleted?: true;
}

export interface ReactionSummaryDoc {
  emoji: string;
  count: number;
  ups: string[];
}

/**
 * A stored message; `seq` is its place in the group (1, 2, 3, … without a gap),
 * `rev` the group revision of its latest change (docs/design.md, One change
 * stream per group). A deleted message is a tombstone: `deleted`, empty text.
 */
export interface MessageDoc {
  _id: Types.ObjectId;
  group: Types.ObjectId;
  seq: number;
  from: string;
  message: string;
  clientId: string;
  timestamp: Date;
  rev?: number;
  editedAt?: Date;
  deleted?: true;
  deletedAt?: Date;
  replyTo?: ReplyQuoteDoc;
  reactions?: ReactionSummaryDoc[];
  mentions?: string[];
  /** The clientIds of the latest edits, so a retried edit does not apply twice (bounded). */
  editIds?: string[];
  /** The text as search reads it: `searchTextOf(message)`, kept in step with `message` (docs/search.md). */
  searchText?: string;
  /** References to the files it carries; absent when none. */
  attachments?: AttachmentRef[];
}

/** A live message's text; a tombstone's is empty. */
const liveText = textLength(1, LIMITS.messageLength);

const messageSchema = new Schema<MessageDoc>({
  group: { type: Schema.Types.ObjectId, required: true },
  seq: { type: Number, required: true, min: 1 },
  from: { type: String, required: true, match: UP_PATTERN },
  // Empty only on a tombstone (a deleted message).
  message: {
    type: String,
    default: '',
    validate: {
      validator(this: MessageDoc, value: unknown): boolean {
        return this.deleted ? value === '' : liveText.validator(value);
      },
      message: liveText.message,
    },
  },
  clientId: { type: String, required: true, validate: textLength(1, LIMITS.clientId) },
  timestamp: { type: Date, required: true },
  rev: { type: Number, min: 1 },
  editedAt: Date,
  deleted: Boolean,
  deletedAt: Date,
  replyTo: {
    type: new Schema<ReplyQuoteDoc>({
      id: { type: Schema.Types.ObjectId, required: true },
      seq: { type: Number, required: true },
      up: { type: String, required: true },
      excerpt: String,
      deleted: Boolean,
    }, { _id: false }),
    default: undefined,
  },
  reactions: {
    type: [new Schema<ReactionSummaryDoc>({ emoji: String, count: Number, ups: [String] }, { _id: false })],
    default: undefined,
  },
  mentions: { type: [String], default: undefined },
  editIds: { type: [String], default: undefined },
  searchText: { type: String },
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
// Resuming: a group's messages changed after a revision, in revision order. (Unique revisions are
// guaranteed by the revision claims, since a message's rev moves on at every change.)
messageSchema.index({ group: 1, rev: 1 });
// A delete finds the replies quoting the deleted message.
messageSchema.index({ 'replyTo.id': 1 });

export type MessageModel = Model<MessageDoc>;
export const createMessageModel = (db: Connection): MessageModel => (
  db.model<MessageDoc>('Message', messageSchema, 'messages'));
