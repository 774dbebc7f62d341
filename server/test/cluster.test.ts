/**
 * Several chat servers on one Redis (DESIGN.md decision 5): rooms span
 * servers, group changes move sockets in and out of rooms everywhere, and
 * presence arrives in batches.
 */
import assert from 'node:assert/strict';
import type {
  Group, PresenceBatch, SendMessageResult, User,
} from '@chat/shared';
import {
  Cluster, clientId, collect, eventually, next, request, sleep, startDataTier,
} from './support/cluster';
import type { ChatClient, DataTier, TestUser } from './support/cluster';

describe('chat server: several servers on one Redis', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;

  before(async () => { tier = await startDataTier('cluster'); });
  after(async () => { await tier.close(); });
  beforeEach(async () => {
    cluster = new Cluster(tier);
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

    // Renamed: members hear it.
    const renamed = next(c, 'group updated');
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

  it('lets only the creator delete a group or remove others, and anyone leave', async () => {
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
});
