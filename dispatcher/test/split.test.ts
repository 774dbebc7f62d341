/**
 * Splitting and merging, end to end on Redis: three chat servers of capacity
 * 100 report the users the map gives them; 250 users whose numbers end in 3
 * overload the owner of leaf "3", which splits by the next digit and sends
 * half of its children elsewhere; when most users leave, the children merge.
 */
import assert from 'node:assert/strict';
import { placeUser } from '@chat/shared';
import type { PlacementMap } from '@chat/shared';
import {
  FakeChatServer, currentMap, dropPrefix, eventually, locate, removeLogDirs, startTestDispatcher, uniquePrefix,
} from './support';
import type { TestDispatcher } from './support';

/** 250 users ending in 3, 25 for each tens digit. */
const USERS = Array.from({ length: 250 }, (_, i) => String((100 + i) * 10 + 3));
const CHILDREN = ['03', '13', '23', '33', '43', '53', '63', '73', '83', '93'];

describe('dispatcher split and merge (Redis)', () => {
  const prefix = uniquePrefix('split');
  let dispatcher: TestDispatcher;
  let servers: FakeChatServer[] = [];
  let online = USERS;
  let frozenLoad: number | null = null;

  /** What a chat server would count: the online users its last map places on it, per leaf. */
  const countUsers = (self: FakeChatServer) => {
    if (frozenLoad !== null) return { load: frozenLoad };
    const leafLoads: Record<string, number> = {};
    let load = 0;
    online.forEach((up) => {
      const placed = self.map ? placeUser(self.map, up) : null;
      if (placed?.serverId !== self.id) return;
      load += 1;
      leafLoads[placed.suffix] = (leafLoads[placed.suffix] ?? 0) + 1;
    });
    return { load, leafLoads };
  };

  before(async () => {
    // Deaths are not under test here: a generous timeout keeps a slow machine from declaring one mid-check.
    dispatcher = await startTestDispatcher(prefix, { REBALANCE_COOLDOWN_MS: '1500', HEARTBEAT_TIMEOUT_MS: '5000' });
    servers = ['split-a', 'split-b', 'split-c'].map((id) => new FakeChatServer(dispatcher.url, id, 100, countUsers));
    for (const s of servers) await s.start();
  });
  after(async () => {
    servers.forEach((s) => s.stopBeating());
    await Promise.all(servers.map((s) => s.leave()));
    await dispatcher.close();
    await dropPrefix(prefix);
    removeLogDirs();
  });

  it('splits the overloaded leaf "3" into two-digit leaves and moves half of them', async () => {
    const before = await currentMap(dispatcher.url);
    const owner = before.leaves['3'];
    assert.ok(owner);
    const split = await eventually(async () => {
      const map = await currentMap(dispatcher.url);
      assert.equal(map.leaves['3'], undefined, 'leaf 3 is still whole');
      return map;
    }, 8000);
    frozenLoad = 50; // between the water marks: the map should now hold still
    CHILDREN.forEach((child) => assert.ok(split.leaves[child], `no leaf ${child}`));
    const stayed = CHILDREN.filter((c) => split.leaves[c] === owner);
    const moved = CHILDREN.filter((c) => split.leaves[c] !== owner);
    assert.deepEqual(stayed, ['03', '13', '23', '33', '43']);
    assert.deepEqual(moved, ['53', '63', '73', '83', '93']);
    assert.equal(new Set(moved.map((c) => split.leaves[c])).size, 1);
    assert.notEqual(split.leaves['53'], owner);
    // The other leaves did not move.
    Object.keys(before.leaves).filter((l) => l !== '3').forEach((l) => assert.equal(split.leaves[l], before.leaves[l]));
  });

  it('keeps sending every user to the same server while the map holds still', async () => {
    const map: PlacementMap = await currentMap(dispatcher.url);
    const seen = new Map<string, string>();
    for (const round of [1, 2]) {
      for (const up of USERS) {
        const res = await locate(dispatcher.url, up);
        assert.equal(res.status, 200);
        const body = res.body as { url: string; serverId: string; mapVersion: number };
        assert.equal(body.mapVersion, map.version, 'the map changed while it should hold still');
        assert.equal(body.serverId, placeUser(map, up)?.serverId);
        if (round === 2) assert.equal(body.url, seen.get(up), `${up} moved`);
        seen.set(up, body.url);
      }
    }
    const serversUsed = new Set(seen.values());
    assert.equal(serversUsed.size, 2, 'users ending in different two-digit suffixes use more than one server');
    const byTens = new Map<string, Set<string>>();
    USERS.forEach((up) => {
      const tens = up.slice(-2);
      byTens.set(tens, (byTens.get(tens) ?? new Set()).add(seen.get(up) ?? ''));
    });
    byTens.forEach((urls, tens) => assert.equal(urls.size, 1, `users ending in ${tens} are split over servers`));
  });

  it('merges the children back into "3" when the load falls below the low-water mark', async () => {
    online = USERS.slice(0, 40);
    frozenLoad = null;
    const merged = await eventually(async () => {
      const map = await currentMap(dispatcher.url);
      assert.ok(map.leaves['3'], 'leaf 3 is not back');
      return map;
    }, 8000);
    CHILDREN.forEach((child) => assert.equal(merged.leaves[child], undefined));
    const owners = new Set(USERS.map((up) => placeUser(merged, up)?.serverId));
    assert.equal(owners.size, 1);
  });
});
