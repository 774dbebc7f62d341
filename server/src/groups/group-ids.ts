/**
 * "Which groups is this user in?", asked at every handshake. Lookups gather
 * (data/gathering-loader.ts) into calls of up to a page of users, one query
 * each at the data service, so a crowd reconnecting after a restart costs a
 * few queries, not one per user.
 */
import { LIMITS } from '@chat/shared';
import type { Up } from '@chat/shared';
import type { DataClient } from '../data/client';
import { createGatheringLoader } from '../data/gathering-loader';

export interface GroupIdsOptions {
  /** Calls to the data service in flight at once; later lookups wait and gather. */
  maxInFlight?: number;
  /** How long a lookup waits for others to join its call when nothing is in flight. */
  gatherMs?: number;
}

export function createGroupIds(data: Pick<DataClient, 'groupIdsOf'>, options: GroupIdsOptions = {}) {
  const loader = createGatheringLoader<Up, string[]>(async (ups) => {
    const found = await data.groupIdsOf([...new Set(ups)]);
    return ups.map((up) => found.get(up) ?? []);
  }, { maxInFlight: options.maxInFlight ?? 2, maxBatchSize: LIMITS.pageSize, gatherMs: options.gatherMs ?? 5 });

  return {
    /** The ids of `up`'s groups; rejects with the data service's error (UNAVAILABLE while it is away). */
    of: (up: Up): Promise<string[]> => loader.load(up),
  };
}

export type GroupIds = ReturnType<typeof createGroupIds>;
