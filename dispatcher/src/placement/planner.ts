/**
 * The leader's step: from the stored map and the live servers to the next map.
 * Pure: the same inputs always give the same map, so replicas and tests can
 * reason about it without Redis or HTTP.
 */
import type { PlacementMap } from '@chat/shared';
import { completeParents, childrenOf } from './suffixes';
import {
  addServer, estimateLeafLoad, leavesOf, majorityOwner, mergeLeaves, removeServer, splitLeaf, updateServerUrl,
} from './transitions';
import type { LoadReport, LoadView } from './transitions';

export interface LiveServer extends LoadReport {
  id: string;
  url: string;
}

export interface PlanOptions {
  /** Split a server's leaf when its load passes this share of its capacity (e.g. 0.8). */
  highWater: number;
  /** Merge siblings spread over servers when all of them are below this share (e.g. 0.3). */
  lowWater: number;
  /** Leaves never get longer than this many digits. */
  maxDepth: number;
  /** Servers whose leaves changed recently: their reported load is not yet trustworthy. */
  unsettled?: ReadonlySet<string>;
}

export type PlacementChange =
  | { type: 'join'; server: string }
  | { type: 'leave'; server: string; leaves: string[] }
  | { type: 'url'; server: string }
  | { type: 'split'; leaf: string; from: string; to: string }
  | { type: 'merge'; parent: string; to: string };

export interface Plan {
  map: PlacementMap;
  changes: PlacementChange[];
  /** Servers that gained or lost leaves. */
  touched: Set<string>;
}

const share = (s: LoadReport) => s.load / Math.max(1, s.capacity);

/** The leaf worth splitting: the one with most users when the owner reports them, else its first. */
function busiestLeaf(map: PlacementMap, owner: LiveServer, maxDepth: number): string | undefined {
  const candidates = leavesOf(map, owner.id).filter((leaf) => leaf.length < maxDepth);
  const counted = candidates.filter((leaf) => (owner.leafLoads?.[leaf] ?? 0) > 0);
  if (counted.length === 0) return candidates[0];
  return counted.reduce((best, leaf) => (
    (owner.leafLoads?.[leaf] ?? 0) > (owner.leafLoads?.[best] ?? 0) ? leaf : best));
}

export function planMap(current: PlacementMap, live: readonly LiveServer[], options: PlanOptions): Plan {
  let map = current;
  const changes: PlacementChange[] = [];
  const touched = new Set<string>();
  const byId = new Map(live.map((s) => [s.id, s]));
  const loads: LoadView = Object.fromEntries(live.map((s) => [s.id, s]));
  const unsettled = new Set(options.unsettled ?? []);
  const touch = (...ids: string[]) => ids.forEach((id) => { touched.add(id); unsettled.add(id); });
  const ownersOf = (leaves: string[]) => new Set(leaves.map((l) => map.leaves[l]).filter((o): o is string => !!o));

  // 1. Servers that died or drained: their leaves go where there is most room.
  Object.keys(map.servers).sort().filter((id) => !byId.has(id)).forEach((id) => {
    const gone = leavesOf(map, id);
    map = removeServer(map, id, loads);
    changes.push({ type: 'leave', server: id, leaves: gone });
    touch(...ownersOf(gone));
  });

  // 2. New servers take their fair share; known ones may have a new URL.
  [...live].sort((a, b) => (a.id < b.id ? -1 : 1)).forEach((server) => {
    const known = map.servers[server.id];
    if (!known) {
      const before = { ...map.leaves };
      map = addServer(map, server);
      const donors = Object.keys(before).filter((l) => map.leaves[l] !== before[l]).map((l) => before[l] as string);
      changes.push({ type: 'join', server: server.id });
      touch(server.id, ...donors);
    } else if (known.url !== server.url) {
      map = updateServerUrl(map, server);
      changes.push({ type: 'url', server: server.id });
    }
  });

  // 3. Siblings that all ended up on one server merge for free: nobody moves.
  for (let parents = completeParents(map.leaves); parents.length > 0;) {
    const parent = parents.find((p) => ownersOf(childrenOf(p)).size === 1);
    if (parent === undefined) break;
    map = mergeLeaves(map, parent);
    changes.push({ type: 'merge', parent, to: map.leaves[parent] as string });
    parents = completeParents(map.leaves);
  }

  // 4. Each settled server over its high-water mark splits one leaf, most loaded servers first.
  [...live].sort((a, b) => share(b) - share(a) || (a.id < b.id ? -1 : 1)).forEach((owner) => {
    if (unsettled.has(owner.id) || owner.load <= options.highWater * owner.capacity) return;
    const leaf = busiestLeaf(map, owner, options.maxDepth);
    if (leaf === undefined) return;
    // Any server below its high-water mark will do; the one with most room takes the half.
    const room = (s: LiveServer) => options.highWater * s.capacity - s.load;
    const target = live
      .filter((s) => s.id !== owner.id && !unsettled.has(s.id) && room(s) > 0)
      .sort((a, b) => room(b) - room(a) || (a.id < b.id ? -1 : 1))[0];
    if (!target) return;
    map = splitLeaf(map, leaf, target.id);
    changes.push({
      type: 'split', leaf, from: owner.id, to: target.id,
    });
    touch(owner.id, target.id);
  });

  // 5. Siblings spread over quiet servers merge onto the one holding most of them, if it stays below high water.
  completeParents(map.leaves).forEach((parent) => {
    const children = childrenOf(parent);
    const owners = [...ownersOf(children)].map((id) => byId.get(id));
    const quiet = owners.every((s) => s && !unsettled.has(s.id) && s.load < options.lowWater * s.capacity);
    if (!quiet) return;
    const to = majorityOwner(map, parent);
    const target = byId.get(to);
    const moving = children.filter((c) => map.leaves[c] !== to)
      .reduce((sum, c) => sum + estimateLeafLoad(map, c, loads), 0);
    if (!target || target.load + moving > options.highWater * target.capacity) return;
    map = mergeLeaves(map, parent, to);
    changes.push({ type: 'merge', parent, to });
    touch(...owners.map((s) => (s as LiveServer).id));
  });

  return { map, changes, touched };
}
