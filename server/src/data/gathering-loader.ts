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
  /**
   * How long a batch waits for company when a slot is free. Handshakes of a
   * crowd arrive a few milliseconds apart; on a database that scans for such
   * a query, one call for twenty costs what one call for one does.
   */
  gatherMs?: number;
}

export function createGatheringLoader<K, V>(
  run: (keys: readonly K[]) => Promise<V[]>,
  { maxInFlight, maxBatchSize, gatherMs = 0 }: GatheringOptions,
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
        // The rest of this turn's keys (and of the next `gatherMs`) join the batch.
        if (gatherMs > 0) setTimeout(dispatch, gatherMs); else setImmediate(dispatch);
      } else {
        waiting.push(dispatch);
      }
    },
  });
}
