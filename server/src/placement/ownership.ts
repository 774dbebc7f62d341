/**
 * Which users this chat server serves, from the dispatcher's placement map.
 * Without a dispatcher (or before the first map arrives) it serves everyone.
 * After a leaf moves away it still accepts that leaf's users for a grace
 * period, while clients holding the old location catch up.
 */
import { leafFor, placeUser, userDigits } from '@chat/shared';
import type { Placement, PlacementMap, Up } from '@chat/shared';

export function createOwnership(serverId: string, graceMs: number) {
  let current: PlacementMap | null = null;
  let previous: { map: PlacementMap; until: number }[] = [];

  const placedHere = (map: PlacementMap, up: Up) => {
    const placement = placeUser(map, up);
    return placement === null || placement.serverId === serverId;
  };

  return {
    map: () => current,
    /**
     * Takes a newer map; true when it differs from the one held. An older one is
     * a replica that has not caught up: ignored, unless it answers a registration
     * (the dispatchers lost their state and started the versions again).
     */
    update: (map: PlacementMap, authoritative = false): boolean => {
      if (current && map.version === current.version) return false;
      if (current && map.version < current.version && !authoritative) return false;
      const now = Date.now();
      previous = previous.filter((p) => p.until > now);
      if (current) previous.push({ map: current, until: now + graceMs });
      current = map;
      return true;
    },
    /** Served here by the current map. */
    ownsNow: (up: Up): boolean => current === null || placedHere(current, up),
    /** Accepted here: the current map, or a map replaced less than the grace period ago. */
    accepts: (up: Up): boolean => {
      if (current === null || placedHere(current, up)) return true;
      const now = Date.now();
      return previous.some((p) => p.until > now && placedHere(p.map, up));
    },
    placement: (up: Up): Placement | null => (current ? placeUser(current, up) : null),
    /** How many of `ups` fall in each leaf this server owns in the current map. */
    leafLoads: (ups: Iterable<Up>): Record<string, number> => {
      const counts: Record<string, number> = {};
      if (!current) return counts;
      const { leaves } = current;
      for (const up of ups) {
        const leaf = leafFor(leaves, userDigits(up));
        if (leaf !== undefined && leaves[leaf] === serverId) counts[leaf] = (counts[leaf] ?? 0) + 1;
      }
      return counts;
    },
  };
}

export type Ownership = ReturnType<typeof createOwnership>;
