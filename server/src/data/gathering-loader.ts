/**
 * A DataLoader that gathers: at most `maxInFlight` batches are at the data
 * service at once, and whatever is asked meanwhile waits and goes out together
 * in the next batch (up to `maxBatchSize`), in the order asked. Under a crowd
 * the calls grow larger instead of more numerous. Nothing is cached between
 * batches: every answer is fresh.
 */
import DataLoader from 'dataloader';

export interface GatheringOptions {
  maxInFlight: number;
  maxBatchSize: number;
}

export function createGatheringLoader<K, V>(
  run: (keys: readonly K[]) => Promise<V[]>,
  { maxInFlight, maxBatchSize }: GatheringOptions,
): DataLoader<K, V> {
  let active = 0;
  const waiting: (() => void)[] = [];
  // A finished batch hands its slot to the batch that has waited longest.
  const release = () => {
    const next = waiting.shift();
    if (next) next(); else active -= 1;
  };
  return new DataLoader<K, V>(async (keys) => {
    try {
      return await run(keys);
    } finally {
      release();
    }
  }, {
    cache: false,
    maxBatchSize,
    batchScheduleFn: (dispatch) => {
      if (active < maxInFlight) {
        active += 1;
        // The rest of this turn's keys join the batch.
        setImmediate(dispatch);
      } else {
        waiting.push(dispatch);
      }
    },
  });
}
