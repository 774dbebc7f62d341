/**
 * The map's elementary changes, as pure functions from a map to the next map.
 * Each returns a new map with a higher version and leaves every user number
 * owned by exactly one server of `servers` (or, with no server at all, no leaf).
 */
import type { PlacementMap } from '@chat/shared';
import {
  ROOT_LEAVES, childrenOf, sortSuffixes,
} from './suffixes';

export interface ServerAddress {
  id: string;
  url: string;
}

/** What a server last said about its load, used to send orphaned leaves where there is room. */
export interface LoadReport {
  capacity: number;
  load: number;
  /** Users per leaf, when the server reports it. */
  leafLoads: Record<string, number> | null;
}

export type LoadView = Readonly<Record<string, LoadReport>>;

export const emptyMap = (): PlacementMap => ({ version: 0, leaves: {}, servers: {} });

const has = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);

const next = (map: PlacementMap, leaves: Record<string, string>, servers = map.servers): PlacementMap => ({
  version: map.version + 1, leaves, servers,
});

export const leavesOf = (map: PlacementMap, serverId: string): string[] => sortSuffixes(
  Object.keys(map.leaves).filter((leaf) => map.leaves[leaf] === serverId),
);

/** Leaves per server of the map, servers without leaves included. */
export function leafCounts(map: PlacementMap): Map<string, number> {
  const counts = new Map<string, number>(Object.keys(map.servers).map((id) => [id, 0]));
  Object.values(map.leaves).forEach((id) => { counts.set(id, (counts.get(id) ?? 0) + 1); });
  return counts;
}

/** Users estimated on `leaf`: the owner's own count when it reported one, else an even share of its load. */
export function estimateLeafLoad(map: PlacementMap, leaf: string, loads: LoadView | undefined): number {
  const owner = map.leaves[leaf];
  const report = owner === undefined ? undefined : loads?.[owner];
  if (!owner || !report) return 0;
  const reported = report.leafLoads?.[leaf];
  if (reported !== undefined) return reported;
  return report.load / Math.max(1, leavesOf(map, owner).length);
}

/** Smallest id first among equals, so the same inputs always give the same map. */
const byId = (a: string, b: string) => (a < b ? -1 : Number(a > b));

/**
 * A server joins. On an empty map it takes the ten last digits; otherwise it
 * takes its fair share (floor of leaves / servers), one leaf at a time from
 * whichever server has most, so only the leaves it takes move.
 */
export function addServer(map: PlacementMap, server: ServerAddress): PlacementMap {
  if (has(map.servers, server.id)) throw new Error(`server ${server.id} is already in the map`);
  const servers = { ...map.servers, [server.id]: { url: server.url } };
  const leaves = { ...map.leaves };
  const total = Object.keys(leaves).length;
  if (total === 0) {
    const ids = Object.keys(servers).sort(byId);
    ROOT_LEAVES.forEach((leaf, i) => { leaves[leaf] = ids[i % ids.length] as string; });
    return next(map, leaves, servers);
  }
  const counts = leafCounts(map);
  const share = Math.floor(total / (counts.size + 1));
  for (let taken = 0; taken < share; taken += 1) {
    const [donor] = [...counts.entries()].sort((a, b) => b[1] - a[1] || byId(a[0], b[0]))[0] ?? [];
    if (donor === undefined) break;
    const donated = leavesOf({ ...map, leaves }, donor).pop();
    if (donated === undefined) break;
    leaves[donated] = server.id;
    counts.set(donor, (counts.get(donor) ?? 1) - 1);
  }
  return next(map, leaves, servers);
}

/**
 * A server leaves (it died or drained). Each of its leaves goes to the server
 * with most room (lowest projected load / capacity), then fewest leaves. With
 * no server left the map is empty: nobody can be placed.
 */
export function removeServer(map: PlacementMap, serverId: string, loads?: LoadView): PlacementMap {
  if (!has(map.servers, serverId)) throw new Error(`server ${serverId} is not in the map`);
  const servers = { ...map.servers };
  delete servers[serverId];
  if (Object.keys(servers).length === 0) return next(map, {}, {});
  const leaves = { ...map.leaves };
  const counts = leafCounts(map);
  counts.delete(serverId);
  const projected = new Map([...counts.keys()].map((id) => [id, loads?.[id]?.load ?? 0]));
  const ratio = (id: string) => (projected.get(id) ?? 0) / Math.max(1, loads?.[id]?.capacity ?? 1);
  leavesOf(map, serverId).forEach((leaf) => {
    const [target] = [...counts.keys()].sort((a, b) => ratio(a) - ratio(b)
      || (counts.get(a) ?? 0) - (counts.get(b) ?? 0) || byId(a, b));
    if (target === undefined) return;
    leaves[leaf] = target;
    counts.set(target, (counts.get(target) ?? 0) + 1);
    projected.set(target, (projected.get(target) ?? 0) + estimateLeafLoad(map, leaf, loads));
  });
  return next(map, leaves, servers);
}

/** A server's URL changed (it restarted elsewhere under the same id). */
export function updateServerUrl(map: PlacementMap, server: ServerAddress): PlacementMap {
  if (!has(map.servers, server.id)) throw new Error(`server ${server.id} is not in the map`);
  return next(map, map.leaves, { ...map.servers, [server.id]: { url: server.url } });
}

/**
 * Splits `leaf` by the next digit to the left: "0x".."4x" stay with its owner,
 * "5x".."9x" move to `targetId` (the seed's "03..43" / "53..93").
 */
export function splitLeaf(map: PlacementMap, leaf: string, targetId: string): PlacementMap {
  const owner = map.leaves[leaf];
  if (owner === undefined) throw new Error(`${leaf} is not a leaf`);
  if (!has(map.servers, targetId)) throw new Error(`server ${targetId} is not in the map`);
  const leaves = { ...map.leaves };
  delete leaves[leaf];
  childrenOf(leaf).forEach((child, i) => { leaves[child] = i < 5 ? owner : targetId; });
  return next(map, leaves);
}

/** The server owning most of `parent`'s children (fewest users move), smallest id among equals. */
export function majorityOwner(map: PlacementMap, parent: string): string {
  const counts = new Map<string, number>();
  childrenOf(parent).forEach((child) => {
    const owner = map.leaves[child];
    if (owner !== undefined) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  });
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1] || byId(a[0], b[0]))[0] ?? [];
  if (best === undefined) throw new Error(`${parent} has no children`);
  return best;
}

/** Merges the ten children of `parent` (all leaves) back into it, owned by `targetId` or the majority owner. */
export function mergeLeaves(map: PlacementMap, parent: string, targetId?: string): PlacementMap {
  const children = childrenOf(parent);
  if (!children.every((c) => has(map.leaves, c))) throw new Error(`the children of ${parent} are not all leaves`);
  const owner = targetId ?? majorityOwner(map, parent);
  if (!has(map.servers, owner)) throw new Error(`server ${owner} is not in the map`);
  const leaves = { ...map.leaves };
  children.forEach((c) => { delete leaves[c]; });
  leaves[parent] = owner;
  return next(map, leaves);
}
