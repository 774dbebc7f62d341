import { Schema } from 'mongoose';
import type { Connection, Model, Types } from 'mongoose';

/**
 * A claimed group revision: every change to a group's timeline inserts one
 * (docs/design.md, One change stream per group). Insert-only: a revision once
 * claimed is never claimed again, even when the message that took it changes
 * later, so the unique index (group, rev) orders every change of a group
 * across data-service replicas, as (group, seq) orders its messages.
 */
export interface RevisionDoc {
  _id: Types.ObjectId;
  group: Types.ObjectId;
  rev: number;
}

const revisionSchema = new Schema<RevisionDoc>({
  group: { type: Schema.Types.ObjectId, required: true },
  rev: { type: Number, required: true, min: 1 },
}, { versionKey: false, strict: 'throw' });

revisionSchema.index({ group: 1, rev: 1 }, { unique: true });

export type RevisionModel = Model<RevisionDoc>;
export const createRevisionModel = (db: Connection): RevisionModel => (
  db.model<RevisionDoc>('Revision', revisionSchema, 'revisions'));
