/**
 * Two dispatcher replicas on one Redis: they give the same answers, a change
 * asked of the one without the lease still happens, and when the lease holder
 * goes the other takes over the map's changes.
 */
import assert from 'node:assert/strict';
import {
  FakeChatServer, call, currentMap, dropPrefix, eventually, leavesOwnedBy, locate, removeLogDirs,
  startTestDispatcher, uniquePrefix,
} from './support';
import type { TestDispatcher } from './support';

const leads = async (d: TestDispatcher) => /dispatcher_leader\{[^}]*\} 1/.test(await (await fetch(`${d.url}/metrics`)).text());

describe('dispatcher replicas on one Redis', () => {
  const prefix = uniquePrefix('replicas');
  let first: TestDispatcher;
  let second: TestDispatcher;
  let servers: FakeChatServer[] = [];
  const ups = Array.from({ length: 40 }, (_, i) => String(201900 + i * 7));

  before(async () => {
    first = await startTestDispatcher(prefix, { DISPATCHER_ID: 'replica-1' });
    second = await startTestDispatcher(prefix, { DISPATCHER_ID: 'replica-2' });
  });
  after(async () => {
    servers.forEach((s) => s.stopBeating());
    await Promise.all(servers.map((s) => s.leave()));
    await Promise.all([first.close(), second.close()]);
    await dropPrefix(prefix);
    removeLogDirs();
  });

  it('lets exactly one replica lead', async () => {
    assert.equal(await leads(first), true);
    assert.equal(await leads(second), false);
  });

  it('places servers registered through either replica and answers the same location for every user', async () => {
    // One server registers with the leader, the other with the follower, which asks the leader.
    servers = [new FakeChatServer(first.url, 'rep-a'), new FakeChatServer(second.url, 'rep-b')];
    for (const s of servers) await s.start();
    const viaFollower = servers[1]?.map;
    assert.ok(viaFollower?.servers['rep-b'], 'the follower answered with a map that includes the new server');
    assert.equal(leavesOwnedBy(viaFollower, 'rep-b').length, 5);
    await eventually(async () => {
      const [a, b] = await Promise.all([currentMap(first.url), currentMap(second.url)]);
      assert.deepEqual(a, b);
    });
    for (const up of ups) {
      const [a, b] = await Promise.all([locate(first.url, up), locate(second.url, up)]);
      assert.equal(a.status, 200);
      assert.deepEqual(b.body, a.body, `replicas disagree on ${up}`);
    }
    const owners = new Set(await Promise.all(ups.map(async (up) => (
      (await locate(second.url, up)).body as { serverId: string }).serverId)));
    assert.deepEqual([...owners].sort(), ['rep-a', 'rep-b']);
  });

  it('hands the changes to the other replica when the lease holder closes', async () => {
    await first.close();
    for (const s of servers) s.dispatcherUrl = second.url;
    await eventually(async () => assert.equal(await leads(second), true), 5000);
    const [a, b] = servers;
    assert.ok(a && b);
    b.stopBeating();
    const after = await eventually(async () => {
      const map = await currentMap(second.url);
      assert.equal(map.servers['rep-b'], undefined);
      return map;
    }, 6000);
    assert.deepEqual(new Set(Object.values(after.leaves)), new Set(['rep-a']));
    for (const up of ups) {
      assert.equal(((await locate(second.url, up)).body as { serverId: string }).serverId, 'rep-a');
    }
    const listed = await call(second.url, 'GET', '/dispatcher/servers');
    const repB = (listed.body as { servers: { id: string; alive: boolean }[] }).servers.find((s) => s.id === 'rep-b');
    assert.equal(repB?.alive, false);
  });
});
