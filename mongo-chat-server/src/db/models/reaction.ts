import { Schema } from 'mongoose';
import type { Connection, Model, Types } from 'mongoose';

/**
 * One member's reaction to one message: one document each, `_id`
 * `<message>:<up>:<emoji>`, so adding it twice is impossible and concurrent
 * reactions never rewrite a shared array (FerretDB applies concurrent updates
 * non-atomically). The message's summary is recomputed from these by the
 * group's serialized writer.
 */
export interface ReactionDoc {
  _id: string;
  message: Types.ObjectId;
  group: Types.ObjectId;
  up: string;
  emoji: string;
  at: Date;
}

export const reactionId = (message: string, up: string, emoji: string): string => `${message}:${up}:${emoji}`;

const reactionSchema = new Schema<ReactionDoc>({
  _id: { type: String, required: true },
  message: { type: Schema.Types.ObjectId, required: true },
  group: { type: Schema.Types.ObjectId, required: true },
  up: { type: String, required: true },
  emoji: { type: String, required: true },
  at: { type: Date, required: true },
}, { versionKey: false, strict: 'throw' });

reactionSchema.index({ message: 1, at: 1 });
reactionSchema.index({ group: 1 });

export type ReactionModel = Model<ReactionDoc>;
export const createReactionModel = (db: Connection): ReactionModel => (
  db.model<ReactionDoc>('Reaction', reactionSchema, 'reactions'));
