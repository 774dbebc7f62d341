/**
 * A file's record: who uploaded it to which group, what it is (sniffed), and
 * its state. Only `ready` records are visible; `pending` ones are uploads in
 * progress (or cut off, which the sweeper removes), `committing` ones are
 * being checked against the uploader's daily total.
 */
import { Schema } from 'mongoose';
import type { Connection, Model, Types } from 'mongoose';

export type FileState = 'pending' | 'committing' | 'ready';

export interface FileDoc {
  _id: Types.ObjectId;
  group: Types.ObjectId;
  uploader: string;
  name: string;
  size: number;
  type: string;
  width: number | null;
  height: number | null;
  /** The thumbnail's object id in the store, for images. */
  thumbnail: Types.ObjectId | null;
  state: FileState;
  /** The UTC day of the upload, `YYYY-MM-DD`: the daily total counts these. */
  day: string;
  createdAt: Date;
  /** The message carrying it, once sent, and that send's clientId (a retried send may name it again). */
  message: Types.ObjectId | null;
  clientId: string | null;
}

const fileSchema = new Schema<FileDoc>({
  group: { type: Schema.Types.ObjectId, required: true },
  uploader: { type: String, required: true },
  name: { type: String, required: true },
  size: { type: Number, required: true, min: 0 },
  type: { type: String, required: true },
  width: { type: Number, default: null },
  height: { type: Number, default: null },
  thumbnail: { type: Schema.Types.ObjectId, default: null },
  state: { type: String, required: true, enum: ['pending', 'committing', 'ready'] },
  day: { type: String, required: true },
  createdAt: { type: Date, required: true },
  message: { type: Schema.Types.ObjectId, default: null },
  clientId: { type: String, default: null },
}, { versionKey: false, strict: 'throw' });

fileSchema.index({ uploader: 1, day: 1 });
fileSchema.index({ message: 1 });
fileSchema.index({ state: 1, createdAt: 1 });
fileSchema.index({ group: 1 });

export type FileModel = Model<FileDoc>;
export const createFileModel = (db: Connection): FileModel => db.model<FileDoc>('File', fileSchema, 'files');
