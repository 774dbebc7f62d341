/**
 * Which users this chat server serves, from the dispatcher's placement map.
 * Without a dispatcher (or before the first map arrives) it serves everyone.
 * After a leaf moves away it still accepts that leaf's users for a grace
 * period, while clients holding the old location catch up.
 */
import { placeUser } from '@chat/shared';
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
    /** Takes a newer map; true when it differs from the one held. */
    update: (map: PlacementMap): boolean => {
      if (current && map.version === current.version) return false;
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
  };
}

export type Ownership = ReturnType<typeof createOwnership>;
