/**
 * The registry over HTTP on a real Redis: chat servers register and beat
 * (plain HTTP calls from the test), the ten last digits spread over them, a
 * silent server's leaves move to the live ones, and a leaving one drains.
 */
import assert from 'node:assert/strict';
import type { PlacementMap } from '@chat/shared';
import { placeUser } from '@chat/shared';
// The root package's test support has no package name to import it by.
// eslint-disable-next-line import/no-relative-packages
import { assertMatchesSpec as assertSpec } from '../../test/support/openapi';
import {
  FakeChatServer, call, currentMap, dropPrefix, eventually, leavesOwnedBy, locate, removeLogDirs,
  startTestDispatcher, uniquePrefix,
} from './support';
import type { TestDispatcher } from './support';

interface ServerList {
  servers: { id: string; alive: boolean; leaves: number; load: number }[];
  map: PlacementMap;
}

describe('dispatcher registry (Redis)', () => {
  const prefix = uniquePrefix('registry');
  let dispatcher: TestDispatcher;
  let servers: FakeChatServer[] = [];

  before(async () => { dispatcher = await startTestDispatcher(prefix); });
  afterEach(async () => {
    servers.forEach((s) => s.stopBeating());
    await Promise.all(servers.map((s) => s.leave()));
    servers = [];
  });
  after(async () => {
    await dispatcher.close();
    await dropPrefix(prefix);
    removeLogDirs();
  });

  const startServers = async (ids: string[]) => {
    servers = ids.map((id) => new FakeChatServer(dispatcher.url, id));
    for (const s of servers) await s.start();
    return servers;
  };

  it('refuses the registry routes without the internal token', async () => {
    const checks: [string, string, string][] = [
      ['GET', '/dispatcher/servers', '/dispatcher/servers'],
      ['POST', '/dispatcher/servers', '/dispatcher/servers'],
      ['PUT', '/dispatcher/servers/a/heartbeat', '/dispatcher/servers/{id}/heartbeat'],
      ['DELETE', '/dispatcher/servers/a', '/dispatcher/servers/{id}'],
    ];
    for (const [method, route, template] of checks) {
      for (const token of [null, 'wrong-token']) {
        const res = await call(dispatcher.url, method, route, { token, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
        assert.equal(res.status, 401, `${method} ${route} with ${token}`);
        assertSpec(method, template, res);
      }
    }
  });

  it('spreads the ten last digits evenly over three registered servers', async () => {
    const [a, b, c] = await startServers(['reg-a', 'reg-b', 'reg-c']);
    const first = await call(dispatcher.url, 'POST', '/dispatcher/servers', {
      body: {
        id: 'reg-a', url: a?.url, capacity: 100, load: 0,
      },
    });
    assertSpec('POST', '/dispatcher/servers', first);
    assert.ok((first.body as { heartbeatIntervalMs: number }).heartbeatIntervalMs > 0);
    const list = await call(dispatcher.url, 'GET', '/dispatcher/servers');
    assertSpec('GET', '/dispatcher/servers', list);
    const { map, servers: listed } = list.body as ServerList;
    assert.deepEqual(Object.keys(map.leaves).sort(), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const counts = [a, b, c].map((s) => leavesOwnedBy(map, s?.id ?? '').length).sort();
    assert.deepEqual(counts, [3, 3, 4]);
    assert.deepEqual(Object.keys(map.servers).sort(), ['reg-a', 'reg-b', 'reg-c']);
    assert.equal(map.servers['reg-b']?.url, b?.url);
    assert.deepEqual(listed.map((s) => [s.id, s.alive, s.leaves]).sort(), [
      ['reg-a', true, leavesOwnedBy(map, 'reg-a').length],
      ['reg-b', true, leavesOwnedBy(map, 'reg-b').length],
      ['reg-c', true, leavesOwnedBy(map, 'reg-c').length],
    ]);
    const beat = await b?.beat();
    assert.ok(beat);
    assertSpec('PUT', '/dispatcher/servers/{id}/heartbeat', beat);
    assert.equal(beat.status, 200);
  });

  it('moves a silent server\'s leaves to the live ones within a few seconds, and takes it back when it registers again', async () => {
    const [a, b, c] = await startServers(['fail-a', 'fail-b', 'fail-c']);
    assert.ok(a && b && c);
    const before = await currentMap(dispatcher.url);
    const lost = leavesOwnedBy(before, 'fail-b');
    assert.ok(lost.length >= 3);
    const userOnB = `100${lost[0]}`;
    assert.equal(placeUser(before, userOnB)?.serverId, 'fail-b');
    assert.equal(((await locate(dispatcher.url, userOnB)).body as { serverId: string }).serverId, 'fail-b');

    b.stopBeating();
    const started = Date.now();
    const after = await eventually(async () => {
      const map = await currentMap(dispatcher.url);
      assert.equal(leavesOwnedBy(map, 'fail-b').length, 0);
      return map;
    }, 6000);
    assert.ok(Date.now() - started < 6000);
    assert.equal(after.servers['fail-b'], undefined);
    lost.forEach((leaf) => assert.ok(['fail-a', 'fail-c'].includes(after.leaves[leaf] ?? ''), `leaf ${leaf} has no live owner`));
    // Leaves that were on live servers stayed where they were.
    Object.keys(before.leaves).filter((l) => !lost.includes(l))
      .forEach((leaf) => assert.equal(after.leaves[leaf], before.leaves[leaf]));
    const moved = await locate(dispatcher.url, userOnB);
    assert.equal(moved.status, 200);
    assert.notEqual((moved.body as { serverId: string }).serverId, 'fail-b');

    const listed = (await call(dispatcher.url, 'GET', '/dispatcher/servers')).body as ServerList;
    assert.equal(listed.servers.find((s) => s.id === 'fail-b')?.alive, false);
    const late = await b.beat();
    assert.equal(late.status, 404);
    assertSpec('PUT', '/dispatcher/servers/{id}/heartbeat', late);

    await b.start();
    const back = await currentMap(dispatcher.url);
    assert.equal(leavesOwnedBy(back, 'fail-b').length, 3);
  });

  it('drains a leaving server: its leaves are elsewhere by the time DELETE answers', async () => {
    const [a, b] = await startServers(['drain-a', 'drain-b']);
    assert.ok(a && b);
    const before = await currentMap(dispatcher.url);
    assert.equal(leavesOwnedBy(before, 'drain-a').length, 5);
    const res = await a.leave();
    assert.equal(res.status, 204);
    assertSpec('DELETE', '/dispatcher/servers/{id}', res);
    const after = await currentMap(dispatcher.url);
    assert.equal(leavesOwnedBy(after, 'drain-a').length, 0);
    assert.equal(after.servers['drain-a'], undefined);
    assert.ok(after.version > before.version);
    const listed = (await call(dispatcher.url, 'GET', '/dispatcher/servers')).body as ServerList;
    assert.deepEqual(listed.servers.map((s) => s.id), ['drain-b']);
    assert.equal((await a.beat()).status, 404);
    assert.equal((await call(dispatcher.url, 'DELETE', '/dispatcher/servers/never-was')).status, 204);
  });

  it('records the load and per-leaf counts a heartbeat reports', async () => {
    const [a] = await startServers(['load-a']);
    assert.ok(a);
    a.report = () => ({ load: 42, leafLoads: { 3: 40, 7: 2 } });
    assert.equal((await a.beat()).status, 200);
    const listed = (await call(dispatcher.url, 'GET', '/dispatcher/servers')).body as ServerList;
    assert.equal(listed.servers.find((s) => s.id === 'load-a')?.load, 42);
    const metrics = await (await fetch(`${dispatcher.url}/metrics`)).text();
    assert.match(metrics, /dispatcher_server_load\{server="load-a"[^}]*\} 42/);
    assert.match(metrics, /dispatcher_server_leaves\{server="load-a"[^}]*\} 10/);
  });

  it('answers malformed registrations and heartbeats with 400', async () => {
    const valid = {
      id: 'x', url: 'http://x.test', capacity: 10, load: 0,
    };
    const bad: unknown[] = [
      {},
      { ...valid, url: 'not a url' },
      { ...valid, id: 'bad id!' },
      { ...valid, capacity: 0 },
      { ...valid, load: -1 },
      { ...valid, load: 1.5 },
      { ...valid, url: 'ftp://x.test' },
      { ...valid, leafLoads: { abc: 1 } },
    ];
    for (const body of bad) {
      const res = await call(dispatcher.url, 'POST', '/dispatcher/servers', { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assertSpec('POST', '/dispatcher/servers', res);
    }
    const beat = await call(dispatcher.url, 'PUT', '/dispatcher/servers/x/heartbeat', { body: { load: 'many' } });
    assert.equal(beat.status, 400);
    assertSpec('PUT', '/dispatcher/servers/{id}/heartbeat', beat);
  });
});
