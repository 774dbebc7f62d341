/**
 * The chat server's side of placement (docs/design.md, Placement): register and beat,
 * refuse users placed elsewhere with WRONG_SERVER (except for a grace period
 * after their leaf moved), relocate sockets when the map moves their leaf,
 * and hand everyone over on close.
 */
import assert from 'node:assert/strict';
import {
  Cluster, eventually, next, refusal, sleep, startDataTier,
} from './support/cluster';
import type { DataTier, TestUser } from './support/cluster';
import { twoServersOnFakeDispatcher } from './support/fake-dispatcher';
import type { FakeDispatcher } from './support/fake-dispatcher';

describe('chat server: placement by the dispatcher', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;
  let dispatcher: FakeDispatcher;

  before(async () => { tier = await startDataTier('placement'); });
  after(async () => { await tier.close(); });
  beforeEach(async () => {
    cluster = new Cluster(tier);
    dispatcher = await twoServersOnFakeDispatcher(cluster, {
      RELOCATE_BATCH_SIZE: '2', RELOCATE_BATCH_MS: '200', OWNERSHIP_GRACE_MS: '800',
    });
  });
  afterEach(async () => {
    await cluster.close();
    await dispatcher.close();
  });

  const location = async (user: TestUser, server: number) => (
    (await cluster.rest('GET', '/chat/location', { user, server })).body as { url: string; serverId: string; mapVersion: number });

  /** Both servers hold the dispatcher's current map. */
  const settled = async (user: TestUser) => {
    await eventually(async () => {
      const [a, b] = [await location(user, 0), await location(user, 1)];
      return a.mapVersion === dispatcher.map.version && b.mapVersion === dispatcher.map.version;
    }, 'both servers on the current map');
  };

  it('registers, answers the location from the map, and refuses users placed elsewhere', async () => {
    assert.deepEqual(dispatcher.calls.sort(), ['register chat-a', 'register chat-b']);
    const three = await cluster.register(0, 3);
    await settled(three);
    const here = await location(three, 1);
    assert.equal(here.serverId, 'chat-a');
    assert.equal(here.url, cluster.server(0).publicUrl);

    const refused = await refusal(cluster.client(three.token, 1));
    assert.deepEqual(refused.data, { code: 'WRONG_SERVER', url: cluster.server(0).publicUrl });
    const socket = await cluster.connect(three, 0);
    assert.ok(socket.connected);
    await eventually(() => dispatcher.servers.get('chat-a')?.load === 1, 'the load reported in heartbeats');
  });

  it('relocates the sockets of a moved leaf in batches, keeps the others, and honours the grace period', async () => {
    const movers = await Promise.all([0, 1, 2, 3, 4].map(() => cluster.register(0, 3)));
    const stayer = await cluster.register(0, 1);
    await settled(stayer);
    const sockets = await Promise.all(movers.map((u) => cluster.connect(u, 0)));
    const stays = await cluster.connect(stayer, 0);
    const arrivals: number[] = [];
    const relocations = sockets.map((s) => next(s, 'relocate').then((event) => { arrivals.push(Date.now()); return event; }));
    const disconnects = sockets.map((s) => new Promise((resolve) => { s.once('disconnect', resolve); }));

    dispatcher.place((d) => (d < 5 && d !== 3 ? 'chat-a' : 'chat-b'));
    const events = await Promise.all(relocations);
    events.forEach((e) => assert.deepEqual(e, { url: cluster.server(1).publicUrl, reason: 'placement changed' }));
    await Promise.all(disconnects);
    // 5 sockets, 2 per batch, 200 ms apart: at least two pauses between first and last.
    assert.ok(Math.max(...arrivals) - Math.min(...arrivals) >= 300, 'relocations come in batches');
    assert.ok(stays.connected, 'a user whose leaf did not move stays');

    // Inside the grace period the old server still lets a stale client in; then moves it too.
    const late = cluster.client(movers[0]!.token, 0);
    const lateRelocated = next(late, 'relocate', () => true, 5000);
    await new Promise<void>((resolve, reject) => { late.once('connect', () => resolve()); late.once('connect_error', reject); });
    assert.equal((await lateRelocated).url, cluster.server(1).publicUrl);
    await sleep(900);
    const refused = await refusal(cluster.client(movers[1]!.token, 0));
    assert.deepEqual(refused.data, { code: 'WRONG_SERVER', url: cluster.server(1).publicUrl });
    const moved = await cluster.connect(movers[1]!, 1);
    assert.ok(moved.connected);
  });

  it('registers again when the dispatcher has forgotten it', async () => {
    dispatcher.forget('chat-b');
    await eventually(() => dispatcher.calls.filter((c) => c === 'register chat-b').length === 2, 'a second registration');
  });

  it('deregisters on close and sends its sockets to their new server', async () => {
    const user = await cluster.register(0, 7);
    await settled(user);
    const socket = await cluster.connect(user, 1);
    const relocated = next(socket, 'relocate');
    const closing = cluster.server(1).close();
    assert.deepEqual(await relocated, { url: cluster.server(0).publicUrl, reason: 'server shutting down' });
    await closing;
    assert.ok(dispatcher.calls.includes('deregister chat-b'));
  });
});
