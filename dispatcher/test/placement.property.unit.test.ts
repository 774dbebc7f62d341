/**
 * Properties of the suffix map under any sequence of joins, deaths, splits,
 * merges and planner steps: every user number has exactly one live owner,
 * lookups agree with a plain brute-force reference, joins move only the
 * joiner's fair share, and versions only go up.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { placeUser, userDigits } from '@chat/shared';
import type { PlacementMap } from '@chat/shared';
import {
  addServer, completeParents, emptyMap, leafCounts, mergeLeaves, planMap, removeServer, splitLeaf,
} from '../src/placement';
import type { LiveServer } from '../src/placement';

const MAX_DEPTH = 4;

/** Reference lookup, deliberately naive: every leaf the padded number ends with. */
function referenceOwners(map: PlacementMap, up: string): string[] {
  const digits = /^[0-9]+$/.test(up) ? up : userDigits(up);
  const padded = digits.padStart(12, '0');
  return Object.keys(map.leaves).filter((leaf) => padded.endsWith(leaf)).map((leaf) => map.leaves[leaf] as string);
}

/**
 * Exact cover, checked two plain ways: no leaf ends with another leaf, and the
 * leaves' shares of the number space (10^-length each) add up to exactly one.
 */
function assertExactCover(map: PlacementMap): void {
  const leaves = Object.keys(map.leaves);
  if (Object.keys(map.servers).length === 0) {
    assert.equal(leaves.length, 0, 'no server, yet leaves');
    return;
  }
  const depth = Math.max(...leaves.map((l) => l.length));
  const total = leaves.reduce((sum, l) => sum + 10 ** (depth - l.length), 0);
  assert.equal(total, 10 ** depth, `leaves do not cover the numbers exactly: ${leaves.join(',')}`);
  leaves.forEach((a) => leaves.forEach((b) => {
    if (a !== b) assert.ok(!a.endsWith(b), `leaf ${a} overlaps leaf ${b}`);
  }));
  Object.values(map.leaves).forEach((owner) => assert.ok(map.servers[owner], `leaf owner ${owner} is not a live server`));
}

/**
 * Every number below 10^depth has exactly one leaf among its suffixes. A map no
 * deeper than `depth` places a number by its last `depth` digits only, so this
 * covers every number 0..999999 (and beyond).
 */
function assertEveryNumberPlaced(map: PlacementMap, depth: number): void {
  const leafSet = new Set(Object.keys(map.leaves));
  for (let n = 0; n < 10 ** depth; n += 1) {
    const padded = String(n).padStart(depth, '0');
    let matches = 0;
    let found = '';
    for (let len = 1; len <= depth; len += 1) {
      const suffix = padded.slice(depth - len);
      if (leafSet.has(suffix)) { matches += 1; found = suffix; }
    }
    if (matches !== 1) assert.fail(`number ${n} matches ${matches} leaves`);
    // And the real lookup agrees with this brute-force one, for every number, not a sample.
    const placed = placeUser(map, String(n));
    if (placed?.serverId !== map.leaves[found]) assert.fail(`placeUser puts ${n} on ${placed?.serverId}, not ${map.leaves[found]}`);
  }
}

type Command =
  | { kind: 'join' }
  | { kind: 'die'; pick: number }
  | { kind: 'split'; pick: number; target: number }
  | { kind: 'merge'; pick: number }
  | { kind: 'plan'; loads: number[]; perLeaf: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Command>({ kind: 'join' }) },
  { weight: 1, arbitrary: fc.nat().map((pick): Command => ({ kind: 'die', pick })) },
  { weight: 5, arbitrary: fc.record({ pick: fc.nat(), target: fc.nat() }).map((r): Command => ({ kind: 'split', ...r })) },
  { weight: 2, arbitrary: fc.nat().map((pick): Command => ({ kind: 'merge', pick })) },
  {
    weight: 2,
    arbitrary: fc.record({ loads: fc.array(fc.nat({ max: 150 }), { maxLength: 8 }), perLeaf: fc.boolean() })
      .map((r): Command => ({ kind: 'plan', ...r })),
  },
);

const at = <T>(items: readonly T[], pick: number): T | undefined => items[pick % Math.max(1, items.length)];

/** Applies one command when it makes sense for the map; returns the map unchanged otherwise. */
function apply(map: PlacementMap, cmd: Command, nextId: () => string): PlacementMap {
  const ids = Object.keys(map.servers).sort();
  const leaves = Object.keys(map.leaves).sort();
  switch (cmd.kind) {
    case 'join': {
      const id = nextId();
      const after = addServer(map, { id, url: `http://${id}` });
      assertFairJoin(map, after, id);
      return after;
    }
    case 'die': {
      const id = at(ids, cmd.pick);
      return id === undefined ? map : removeServer(map, id);
    }
    case 'split': {
      const leaf = at(leaves.filter((l) => l.length < MAX_DEPTH), cmd.pick);
      const target = at(ids, cmd.target);
      return leaf === undefined || target === undefined ? map : splitLeaf(map, leaf, target);
    }
    case 'merge': {
      const parent = at(completeParents(map.leaves), cmd.pick);
      return parent === undefined ? map : mergeLeaves(map, parent);
    }
    default: {
      const live: LiveServer[] = ids.map((id, i) => {
        const load = cmd.loads[i % Math.max(1, cmd.loads.length)] ?? 0;
        const own = leaves.filter((l) => map.leaves[l] === id);
        const leafLoads = cmd.perLeaf ? Object.fromEntries(own.map((l, j) => [l, j === 0 ? load : 0])) : null;
        return {
          id, url: `http://${id}`, capacity: 100, load, leafLoads,
        };
      });
      return planMap(map, live, { highWater: 0.8, lowWater: 0.3, maxDepth: MAX_DEPTH }).map;
    }
  }
}

/** The joiner holds its fair share (within one leaf), and the only leaves that moved are the ones it got. */
function assertFairJoin(before: PlacementMap, after: PlacementMap, joiner: string): void {
  const total = Object.keys(after.leaves).length;
  const servers = Object.keys(after.servers).length;
  const mine = leafCounts(after).get(joiner) ?? 0;
  assert.ok(Math.abs(mine - total / servers) < 1, `joiner got ${mine} of ${total} leaves with ${servers} servers`);
  const wasEmpty = Object.keys(before.leaves).length === 0;
  Object.keys(after.leaves).forEach((leaf) => {
    if (after.leaves[leaf] !== joiner && !wasEmpty) {
      assert.equal(after.leaves[leaf], before.leaves[leaf], `leaf ${leaf} moved to another server than the joiner`);
    }
  });
}

describe('placement map properties', () => {
  it('keeps every user number on exactly one live server through any sequence of changes', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.array(command, { minLength: 1, maxLength: 60 }),
      fc.array(fc.oneof(fc.nat({ max: 999999 }).map(String), fc.string({ minLength: 1, maxLength: 12 })), {
        minLength: 50, maxLength: 50,
      }),
      (firstServers, commands, sampleUps) => {
        let counter = 0;
        const nextId = () => { counter += 1; return `s${counter}`; };
        let map = emptyMap();
        const joins: Command[] = Array.from({ length: firstServers }, () => ({ kind: 'join' }));
        [...joins, ...commands].forEach((cmd) => {
          const after = apply(map, cmd, nextId);
          assert.ok(after.version >= map.version, 'the version went back');
          if (after !== map) assert.ok(after.version > map.version, 'a changed map kept its version');
          assertExactCover(after);
          map = after;
        });
        const depth = Math.max(1, ...Object.keys(map.leaves).map((l) => l.length));
        if (Object.keys(map.servers).length > 0) assertEveryNumberPlaced(map, depth);
        sampleUps.forEach((up) => {
          const reference = referenceOwners(map, up);
          const placed = placeUser(map, up);
          if (Object.keys(map.servers).length === 0) {
            assert.equal(placed, null);
            return;
          }
          assert.equal(reference.length, 1, `${up} has ${reference.length} owners`);
          assert.equal(placed?.serverId, reference[0], `placeUser disagrees with the reference for ${up}`);
          assert.equal(placed?.url, map.servers[reference[0] as string]?.url);
        });
      },
    ), { numRuns: 150 });
  });

  it('places every number 0..999999 exactly once on a six-digit-deep map', () => {
    let map = emptyMap();
    ['a', 'b', 'c'].forEach((id) => { map = addServer(map, { id, url: `http://${id}` }); });
    ['3', '03', '503', '7503', '67503'].forEach((leaf, i) => { map = splitLeaf(map, leaf, ['a', 'b', 'c'][i % 3] as string); });
    map = removeServer(map, 'b');
    assert.equal(Math.max(...Object.keys(map.leaves).map((l) => l.length)), 6);
    assertExactCover(map);
    assertEveryNumberPlaced(map, 6);
  });

  it('moves only a fair share when servers join one by one', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.nat({ max: 5 }), (joins, splits) => {
      let map = emptyMap();
      for (let i = 0; i < splits; i += 1) {
        if (i === 0) map = addServer(map, { id: 'seed', url: 'http://seed' });
        map = splitLeaf(map, Object.keys(map.leaves).sort()[i] as string, 'seed');
      }
      for (let i = 0; i < joins; i += 1) {
        const before = map;
        map = addServer(map, { id: `j${i}`, url: `http://j${i}` });
        assertFairJoin(before, map, `j${i}`);
      }
      assertExactCover(map);
    }));
  });
});
