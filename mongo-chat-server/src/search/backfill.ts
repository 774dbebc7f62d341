/**
 * Messages stored before search existed have no `searchText`, so search
 * cannot find them (docs/search.md, Backfill). After start-up the data service
 * gives them one, in bounded batches in `_id` order (each batch continues where
 * the last ended, so on MongoDB the whole pass reads the collection once), in
 * the background. A message edited or deleted meanwhile is left alone: the
 * update applies only while the text is still the one read and no
 * `searchText` was set since.
 */
import { searchTextOf } from '@chat/shared';
import type { mongo, Types } from 'mongoose';
import { inChunks } from '../db/chunks';
import type { Models } from '../db/models';
import type { MessageDoc } from '../db/models/message';

export interface BackfillOptions {
  batchSize?: number;
  /** Checked between batches: true stops the backfill. */
  stopped?: () => boolean;
}

/** Sets `searchText` on every message that lacks it; resolves with how many were set. */
export async function backfillSearchText(models: Models, options: BackfillOptions = {}): Promise<number> {
  const messages = models.Message.collection as unknown as mongo.Collection<MessageDoc>;
  const batchSize = options.batchSize ?? 200;
  const missing = { searchText: { $exists: false }, message: { $type: 'string' }, deleted: { $ne: true } };
  let done = 0;
  let after: Types.ObjectId | undefined;
  while (!options.stopped?.()) {
    const filter = { ...missing, ...(after ? { _id: { $gt: after } } : {}) } as mongo.Filter<MessageDoc>;
    const batch = await messages.find(filter, { projection: { _id: 1, message: 1 } })
      .sort({ _id: 1 }).limit(batchSize).toArray();
    const last = batch[batch.length - 1];
    if (!last) break;
    after = last._id;
    const results = await inChunks(batch, (chunk) => messages.bulkWrite(chunk.map((doc) => ({
      updateOne: {
        filter: { ...missing, _id: doc._id, message: doc.message } as mongo.Filter<MessageDoc>,
        update: { $set: { searchText: searchTextOf(doc.message) } },
      },
    })), { ordered: false }));
    done += results.reduce((sum, result) => sum + result.modifiedCount, 0);
  }
  return done;
}
