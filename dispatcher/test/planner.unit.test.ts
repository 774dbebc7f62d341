/**
 * The leader's planning step on examples: what it splits and where the half
 * goes, when it refuses to, when siblings merge back, and where a dead
 * server's leaves land.
 */
import assert from 'node:assert/strict';
import type { PlacementMap } from '@chat/shared';
import {
  addServer, emptyMap, leavesOf, planMap, splitLeaf,
} from '../src/placement';
import type { LiveServer, PlanOptions } from '../src/placement';

const OPTIONS: PlanOptions = { highWater: 0.8, lowWater: 0.3, maxDepth: 6 };

const server = (id: string, load = 0, leafLoads: Record<string, number> | null = null): LiveServer => ({
  id, url: `http://${id}.test`, capacity: 100, load, leafLoads,
});

function mapOf(ids: string[]): PlacementMap {
  return ids.reduce((m, id) => addServer(m, { id, url: `http://${id}.test` }), emptyMap());
}

describe('placement planner', () => {
  it('spreads the ten last digits over the servers that join, 4/3/3 in some order', () => {
    const { map, changes } = planMap(emptyMap(), [server('a'), server('b'), server('c')], OPTIONS);
    assert.deepEqual(changes.map((c) => c.type), ['join', 'join', 'join']);
    assert.deepEqual(['a', 'b', 'c'].map((id) => leavesOf(map, id).length).sort(), [3, 3, 4]);
    assert.equal(map.version, 3);
  });

  it('changes nothing, not even the version, when nothing happened', () => {
    const map = mapOf(['a', 'b']);
    const plan = planMap(map, [server('a', 50), server('b', 50)], OPTIONS);
    assert.equal(plan.map, map);
    assert.deepEqual(plan.changes, []);
  });

  it('splits the busiest leaf of an overloaded server and gives half to the server with most room', () => {
    const map = mapOf(['a', 'b', 'c']);
    const leafLoads = Object.fromEntries(leavesOf(map, 'a').map((l) => [l, l === leavesOf(map, 'a')[1] ? 80 : 5]));
    const busiest = leavesOf(map, 'a')[1] as string;
    const { map: next, changes } = planMap(map, [server('a', 95, leafLoads), server('b', 60), server('c', 20)], OPTIONS);
    assert.deepEqual(changes, [{
      type: 'split', leaf: busiest, from: 'a', to: 'c',
    }]);
    assert.equal(next.leaves[busiest], undefined);
    ['0', '1', '2', '3', '4'].forEach((d) => assert.equal(next.leaves[`${d}${busiest}`], 'a'));
    ['5', '6', '7', '8', '9'].forEach((d) => assert.equal(next.leaves[`${d}${busiest}`], 'c'));
  });

  it('splits the first leaf when the server does not count users per leaf', () => {
    const map = mapOf(['a', 'b']);
    const first = leavesOf(map, 'a')[0] as string;
    const { changes } = planMap(map, [server('a', 90), server('b', 10)], OPTIONS);
    assert.deepEqual(changes, [{
      type: 'split', leaf: first, from: 'a', to: 'b',
    }]);
  });

  it('does not split when no other server has room, nor while the servers are settling', () => {
    const map = mapOf(['a', 'b']);
    assert.deepEqual(planMap(map, [server('a', 95), server('b', 85)], OPTIONS).changes, []);
    const settling = { ...OPTIONS, unsettled: new Set(['a']) };
    assert.deepEqual(planMap(map, [server('a', 95), server('b', 10)], settling).changes, []);
  });

  it('never splits past the maximum depth', () => {
    let map = mapOf(['a', 'b']);
    map = splitLeaf(map, '0', 'a');
    const shallow = { ...OPTIONS, maxDepth: 2 };
    const loads = { '00': 90 };
    const { changes } = planMap(map, [server('a', 90, loads), server('b', 0)], shallow);
    assert.ok(changes.every((c) => c.type !== 'split' || c.leaf.length < 2));
  });

  it('merges split siblings back when every server holding them is below the low-water mark', () => {
    const split = splitLeaf(mapOf(['a', 'b']), '3', 'b');
    const busy = planMap(split, [server('a', 40), server('b', 10)], OPTIONS);
    assert.deepEqual(busy.changes, []);
    const quiet = planMap(split, [server('a', 20), server('b', 10)], OPTIONS);
    assert.deepEqual(quiet.changes, [{ type: 'merge', parent: '3', to: 'a' }]);
    assert.equal(quiet.map.leaves['3'], 'a');
  });

  it('merges at once, with nobody moving, when a dead server leaves all the siblings on one server', () => {
    const split = splitLeaf(mapOf(['a', 'b']), '3', 'b');
    const { map, changes } = planMap(split, [server('a', 50)], OPTIONS);
    assert.deepEqual(changes.map((c) => c.type), ['leave', 'merge']);
    assert.deepEqual(Object.keys(map.leaves).sort(), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepEqual(new Set(Object.values(map.leaves)), new Set(['a']));
  });

  it('sends a dead server\'s leaves where there is most room', () => {
    const map = mapOf(['a', 'b', 'c']);
    const lost = leavesOf(map, 'c');
    const { map: next } = planMap(map, [server('a', 70), server('b', 5)], OPTIONS);
    lost.forEach((leaf) => assert.equal(next.leaves[leaf], 'b'));
  });

  it('records a server\'s new URL in the map', () => {
    const map = mapOf(['a']);
    const { map: next, changes } = planMap(map, [{ ...server('a'), url: 'http://elsewhere.test' }], OPTIONS);
    assert.deepEqual(changes, [{ type: 'url', server: 'a' }]);
    assert.equal(next.servers.a?.url, 'http://elsewhere.test');
    assert.ok(next.version > map.version);
  });
});
