import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';

/**
 * A fact other data-service replicas watch, one document each, read by `_id`:
 * its `token` changes every time the fact happens again (db/marker-watch.ts).
 */
export interface MarkerDoc {
  _id: string;
  token: string;
  at: Date;
}

const markerSchema = new Schema<MarkerDoc>({
  _id: { type: String, required: true },
  token: { type: String, required: true },
  at: { type: Date, required: true },
}, { versionKey: false, strict: 'throw' });

export type MarkerModel = Model<MarkerDoc>;
export const createMarkerModel = (db: Connection): MarkerModel => db.model<MarkerDoc>('Marker', markerSchema, 'markers');
