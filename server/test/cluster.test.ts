/**
 * Several chat servers on one Redis, and the same suite on a Redis Cluster:
 * rooms span servers, group changes move sockets in and out of rooms
 * everywhere, presence arrives in batches, a client that was away catches up,
 * and the dispatcher's placement (its map in the same Redis) holds.
 */
import assert from 'node:assert/strict';
import type {
  Group, JoinRoomResult, PresenceBatch, SendMessageResult, User,
} from '@chat/shared';
import {
  Cluster, clientId, collect, eventually, next, redisFlavours, refusal, request, sleep, startDataTier,
  startTestDispatcher,
} from './support/cluster';
import type { ChatClient, DataTier, TestUser } from './support/cluster';

redisFlavours().forEach((flavour) => describe(`chat server: several servers on ${flavour.name}`, function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;

  before(async function () {
    this.timeout(90000);
    await flavour.start();
    tier = await startDataTier('cluster');
  });
  after(async function () {
    this.timeout(30000);
    await tier?.close();
    await flavour.stop();
  });
  beforeEach(async () => {
    cluster = new Cluster(tier, flavour.env());
    await cluster.addServer();
    await cluster.addServer();
  });
  afterEach(async () => { await cluster.close(); });

  const say = async (client: ChatClient, user: TestUser, room: string, message: string) => {
    const ack = await request<SendMessageResult>(client, 'chat message', {
      message, up: user.up, room, clientId: clientId(),
    });
    assert.ok(ack.ok, JSON.stringify(ack));
    return ack;
  };

  it('delivers across servers both ways, over WebSocket and over long-polling', async () => {
    const [alice, bob] = await cluster.users(2);
    const group = await cluster.group(alice!, [bob!]);
    const a = await cluster.connect(alice!, 0);
    const b = await cluster.connect(bob!, 1, ['polling']);
    const aliceSaw = collect(a, 'chat message');
    const bobSaw = collect(b, 'chat message');

    await say(a, alice!, group, 'A to B');
    await say(b, bob!, group, 'B to A');
    await eventually(() => aliceSaw.length === 2 && bobSaw.length === 2, 'both messages on both servers');
    assert.deepEqual(aliceSaw.map((m) => m.message), ['A to B', 'B to A']);
    assert.deepEqual(bobSaw.map((m) => m.message), ['A to B', 'B to A']);
    assert.equal(b.io.engine.transport.name, 'polling');
  });

  it('moves sockets on both servers into and out of rooms as groups change over REST', async () => {
    const [owner, carol] = await cluster.users(2);
    const o = await cluster.connect(owner!, 0);
    const c = await cluster.connect(carol!, 1);
    const carolSaw = collect(c, 'chat message');

    // Created with carol: her socket on the other server is in the room at once.
    const created = next(c, 'group created');
    const group = await cluster.group(owner!, [carol!], 'team');
    assert.equal((await created as Group).name, 'team');
    await say(o, owner!, group, 'welcome');
    await eventually(() => carolSaw.some((m) => m.message === 'welcome'), 'carol receiving in the new group');

    // Renamed by an admin (group roles: carol is promoted first): members hear it.
    const promoted = await cluster.rest('PUT', `/chat/${group}/members/${carol!.up}/role`, { user: owner, body: { role: 'admin' } });
    assert.equal(promoted.status, 200);
    const renamed = next(c, 'group updated', (g) => g.name === 'team 2');
    const rename = await cluster.rest('PATCH', `/chat/groups/${group}`, { user: carol, body: { name: 'team 2' }, server: 1 });
    assert.equal(rename.status, 200);
    assert.equal((await renamed as Group).name, 'team 2');

    // Removed by the creator: told, out of the room on its server, and refused from now on.
    const left = next(c, 'member left');
    const removal = await cluster.rest('DELETE', `/chat/groups/${group}/members/${carol!.up}`, { user: owner });
    assert.equal(removal.status, 200);
    assert.deepEqual(await left, { room: group, up: carol!.up });
    const countBefore = carolSaw.length;
    await say(o, owner!, group, 'carol is gone');
    const refused = await request(c, 'chat message', {
      message: 'let me back', up: carol!.up, room: group, clientId: clientId(),
    });
    assert.equal(!refused.ok && refused.error.code, 'FORBIDDEN');
    const typing = await request(c, 'typing', { room: group });
    assert.equal(!typing.ok && typing.error.code, 'FORBIDDEN', 'the membership cache was revoked');

    // Added back by a member: in the room again.
    const joined = next(c, 'member joined');
    const add = await cluster.rest('POST', `/chat/groups/${group}/members`, { user: owner, body: { users: [carol!.up] } });
    assert.equal(add.status, 200);
    assert.deepEqual(await joined, { room: group, up: carol!.up });
    await say(o, owner!, group, 'welcome back');
    await eventually(() => carolSaw.some((m) => m.message === 'welcome back'), 'carol receiving again');
    assert.ok(!carolSaw.some((m) => m.message === 'carol is gone'));
    assert.equal(carolSaw.length, countBefore + 1);

    // Deleted by the creator: everyone is told and leaves the room.
    const deleted = next(c, 'group deleted');
    const removed = await cluster.rest('DELETE', `/chat/groups/${group}`, { user: owner });
    assert.equal(removed.status, 204);
    assert.deepEqual(await deleted, { room: group });
    const afterDelete = await request(c, 'join room', { up: carol!.up, room: group });
    assert.equal(afterDelete.ok, false);
  });

  it('lets only the owner delete a group, only owners and admins remove others, and anyone leave', async () => {
    const [owner, dan, erin] = await cluster.users(3);
    const group = await cluster.group(owner!, [dan!, erin!]);
    const d = await cluster.connect(dan!, 1);
    assert.equal((await cluster.rest('DELETE', `/chat/groups/${group}`, { user: dan })).status, 403);
    assert.equal((await cluster.rest('DELETE', `/chat/groups/${group}/members/${erin!.up}`, { user: dan })).status, 403);
    const left = next(d, 'member left');
    const leave = await cluster.rest('DELETE', `/chat/groups/${group}/members/${dan!.up}`, { user: dan });
    assert.equal(leave.status, 200);
    assert.deepEqual((leave.body as Group).users.sort(), [owner!.up, erin!.up].sort());
    assert.deepEqual(await left, { room: group, up: dan!.up });
  });

  it('shows users online and offline to their groups in batches, across servers', async () => {
    const users = await cluster.users(6);
    const [watcher, ...others] = users;
    const group = await cluster.group(watcher!, others);
    const w = await cluster.connect(watcher!, 0);
    const batches = collect(w, 'presence');
    // The watcher's own "online" comes first, alone: it is not one of the batches counted below.
    await eventually(() => batches.some((b: PresenceBatch) => b.online.includes(watcher!.up)), 'the watcher seen online');
    batches.splice(0);

    const sockets = await Promise.all(others.map((u, i) => cluster.connect(u, i % 2)));
    const onlineUps = () => new Set(batches.flatMap((b: PresenceBatch) => b.online));
    await eventually(() => others.every((u) => onlineUps().has(u.up)), 'every member seen online');
    assert.ok(batches.length < others.length, `${others.length} users came online in ${batches.length} batch(es)`);

    // A quick reconnect inside the grace period is not an offline.
    sockets[0]!.disconnect();
    await cluster.connect(others[0]!, 1);
    sockets.slice(1).forEach((s) => s.disconnect());
    const offline = () => new Set(batches.flatMap((b: PresenceBatch) => b.offline.map((o) => o.up)));
    await eventually(() => others.slice(1).every((u) => offline().has(u.up)), 'the others seen offline');
    await sleep(500);
    assert.ok(!offline().has(others[0]!.up), 'the user who reconnected stays online');

    // Stored through the data service too.
    const members = await cluster.rest('GET', `/chat/groups/${group}/members`, { user: watcher });
    assert.equal(members.status, 200);
    const byUp = new Map((members.body as { items: User[] }).items.map((u) => [u.up, u]));
    assert.equal(byUp.get(others[0]!.up)?.online, true);
    others.slice(1).forEach((u) => {
      assert.equal(byUp.get(u.up)?.online, false);
      assert.ok(byUp.get(u.up)?.lastSeen);
    });
  });

  it('lets a client that was away catch up on what it missed, from the other server\'s messages', async () => {
    const [alice, bob] = await cluster.users(2);
    const group = await cluster.group(alice!, [bob!]);
    const a = await cluster.connect(alice!, 0);
    const first = await say(a, alice!, group, 'before');
    const seen = first.ok ? first.seq : 0;
    const missed: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      missed.push(`missed ${i}`);
      await say(a, alice!, group, `missed ${i}`);
    }
    const b = await cluster.connect(bob!, 1);
    const caughtUp = await request<JoinRoomResult>(b, 'join room', { up: bob!.up, room: group, since: seen });
    assert.ok(caughtUp.ok, JSON.stringify(caughtUp));
    assert.deepEqual(caughtUp.messages.map((m) => m.message), missed);
    assert.deepEqual(caughtUp.messages.map((m) => m.seq), [1, 2, 3, 4, 5].map((n) => seen + n));
  });

  it('places users through a dispatcher whose map lives in the same Redis, and the servers agree', async () => {
    const dispatcher = await startTestDispatcher(`cluster-${flavour.name.replace(/\W/g, '')}`, {
      ...flavour.env(), REDIS_PREFIX: `${cluster.redisPrefix}:dispatcher`,
    });
    const placed = new Cluster(tier, flavour.env());
    try {
      const common = { DISPATCHER_URL: dispatcher.url, HEARTBEAT_INTERVAL_MS: '200' };
      await placed.addServer({ ...common, SERVER_ID: 'chat-one' });
      await placed.addServer({ ...common, SERVER_ID: 'chat-two' });
      const users = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => placed.register(0, d)));
      const locate = async (user: TestUser) => {
        const res = await fetch(`${dispatcher.url}/chat/location`, { headers: { authorization: `Bearer ${user.token}` } });
        return { status: res.status, body: await res.json() as { serverId: string; url: string } };
      };
      await eventually(async () => {
        const ids = new Set(await Promise.all(users.map(async (u) => (await locate(u)).body.serverId)));
        return ids.has('chat-one') && ids.has('chat-two');
      }, 'users spread over both servers');
      for (const user of users.slice(0, 3)) {
        const { body } = await locate(user);
        const owner = placed.servers.findIndex((s) => s.serverId === body.serverId);
        assert.ok(owner >= 0, `placed on a known server: ${body.serverId}`);
        await eventually(async () => {
          const here = (await placed.rest('GET', '/chat/location', { user, server: owner })).body as { serverId: string };
          return here.serverId === body.serverId;
        }, 'the chat server agreeing with the dispatcher');
        const refused = await refusal(placed.client(user.token, 1 - owner));
        assert.deepEqual(refused.data, { code: 'WRONG_SERVER', url: body.url });
        assert.ok((await placed.connect(user, owner)).connected);
      }
    } finally {
      await placed.close();
      await dispatcher.close();
    }
  });
}));
