/**
 * Storing who is online through the data service. Changes gather
 * (data/gathering-loader.ts) into one call per batch, one batch at a time so a
 * user's changes are stored in the order made; within a batch a user's last
 * change is the one stored. A crowd reconnecting costs a few writes, not one
 * per user.
 */
import { LIMITS } from '@chat/shared';
import type { Up } from '@chat/shared';
import type { DataClient } from '../data/client';
import { createGatheringLoader } from '../data/gathering-loader';

interface Change {
  up: Up;
  online: boolean;
}

export function createPresenceStore(data: Pick<DataClient, 'setPresence'>) {
  const loader = createGatheringLoader<Change, string>(async (changes) => {
    const latest = new Map<Up, boolean>();
    changes.forEach(({ up, online }) => { latest.delete(up); latest.set(up, online); });
    const online = [...latest].filter(([, on]) => on).map(([up]) => up);
    const offline = [...latest].filter(([, on]) => !on).map(([up]) => up);
    const { lastSeen } = await data.setPresence(online, offline);
    return changes.map(() => lastSeen);
  }, { maxInFlight: 1, maxBatchSize: LIMITS.presenceBatch, gatherMs: 20 });

  return {
    /** Stores `up`'s state; resolves with the `lastSeen` stored with it. */
    set: (up: Up, online: boolean): Promise<string> => loader.load({ up, online }),
  };
}

export type PresenceStore = ReturnType<typeof createPresenceStore>;
