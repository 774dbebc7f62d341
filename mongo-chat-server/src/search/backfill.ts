/**
 * Messages stored before search existed have no `searchText`, so search
 * cannot find them (docs/search.md, Backfill). After start-up the data service
 * gives them one, in bounded batches, in the background. A message edited or
 * deleted meanwhile is left alone: the update applies only while the text is
 * still the one read and no `searchText` was set since.
 */
import { searchTextOf } from '@chat/shared';
import type { mongo } from 'mongoose';
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
  const missing = {
    searchText: { $exists: false }, message: { $type: 'string' }, deleted: { $ne: true },
  } as mongo.Filter<MessageDoc>;
  let done = 0;
  const skipped = new Set<string>();
  const notSkipped = (doc: { _id: unknown }) => !skipped.has(String(doc._id));
  while (!options.stopped?.()) {
    const batch = await messages.find(missing, { projection: { _id: 1, message: 1 } })
      .sort({ _id: 1 }).limit(batchSize + skipped.size).toArray();
    const todo = batch.filter(notSkipped).slice(0, batchSize);
    if (todo.length === 0) break;
    const result = await messages.bulkWrite(todo.map((doc) => ({
      updateOne: {
        filter: { _id: doc._id, message: doc.message, ...missing },
        update: { $set: { searchText: searchTextOf(doc.message) } },
      },
    })), { ordered: false });
    done += result.modifiedCount;
    // A message that changed under us is not matched and would come back in every batch.
    if (result.modifiedCount < todo.length) todo.forEach((doc) => skipped.add(String(doc._id)));
  }
  return done;
}
