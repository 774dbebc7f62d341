import { Schema } from 'mongoose';
import type { Connection, Model, Types } from 'mongoose';

/**
 * One unread mention: a message of `group` at `seq` names member `up`. `_id`
 * is `<group>:<up>:<seq>`, so storing it twice is impossible. A mention is
 * removed when the member reads past it, when the message is deleted, or when
 * an edit drops the name: the documents of a member are their unread mentions,
 * so counting them is bounded by what is unread, never a scan of messages.
 */
export interface MentionDoc {
  _id: string;
  group: Types.ObjectId;
  up: string;
  seq: number;
}

export const mentionId = (group: string, up: string, seq: number): string => `${group}:${up}:${seq}`;

const mentionSchema = new Schema<MentionDoc>({
  _id: { type: String, required: true },
  group: { type: Schema.Types.ObjectId, required: true },
  up: { type: String, required: true },
  seq: { type: Number, required: true, min: 1 },
}, { versionKey: false, strict: 'throw' });

// "A member's unread mentions in these groups", and "mentions of a group" when it goes.
mentionSchema.index({ up: 1, group: 1, seq: 1 });
mentionSchema.index({ group: 1 });

export type MentionModel = Model<MentionDoc>;
export const createMentionModel = (db: Connection): MentionModel => (
  db.model<MentionDoc>('Mention', mentionSchema, 'mentions'));
