/**
 * Sending and history on one chat server: only what was acknowledged is
 * stored, members only, nobody speaks as someone else, and every member sees
 * the room in seq order.
 */
import assert from 'node:assert/strict';
import type {
  JoinRoomResult, ReadResult, SendMessageResult,
} from '@chat/shared';
import {
  Cluster, clientId, collect, eventually, next, request, sleep, startDataTier,
} from './support/cluster';
import type { DataTier, TestUser } from './support/cluster';

describe('chat server: messaging', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;

  before(async () => { tier = await startDataTier('messaging'); });
  after(async () => { await tier.close(); });
  beforeEach(async () => {
    cluster = new Cluster(tier);
    await cluster.addServer();
  });
  afterEach(async () => { await cluster.close(); });

  const history = (user: TestUser, group: string) => cluster.history(user, group);

  it('stores an acknowledged message, delivers it to the room, and keeps it in history', async () => {
    const [alice, bob] = await cluster.users(2);
    const group = await cluster.group(alice!, [bob!]);
    const a = await cluster.connect(alice!);
    const b = await cluster.connect(bob!);
    const delivered = collect(b, 'chat message');

    const ack = await request<SendMessageResult>(a, 'chat message', {
      message: 'hello bob', up: alice!.up, room: group, timestamp: new Date().toISOString(), clientId: clientId(),
    });
    assert.ok(ack.ok, JSON.stringify(ack));
    assert.equal(ack.seq, 1);

    await eventually(() => delivered.length === 1, 'delivery to bob');
    assert.equal(delivered[0]?.message, 'hello bob');
    assert.equal(delivered[0]?.up, alice!.up);
    assert.equal(delivered[0]?.id, ack.id);

    const stored = await history(bob!, group);
    assert.deepEqual(stored.map((m) => [m.id, m.seq, m.message]), [[ack.id, 1, 'hello bob']]);
  });

  it('refuses sends from non-members and as another user, and stores none of them', async () => {
    const [alice, bob, mallory] = await cluster.users(3);
    const group = await cluster.group(alice!, [bob!]);
    const m = await cluster.connect(mallory!);
    const b = await cluster.connect(bob!);
    const bobSaw = collect(b, 'chat message');

    const intruder = await request(m, 'chat message', {
      message: 'let me in', up: mallory!.up, room: group, clientId: clientId(),
    });
    assert.equal(intruder.ok, false);
    assert.equal(!intruder.ok && intruder.error.code, 'FORBIDDEN');

    const impostor = await request(b, 'chat message', {
      message: 'I am alice', up: alice!.up, room: group, clientId: clientId(),
    });
    assert.equal(!impostor.ok && impostor.error.code, 'FORBIDDEN');

    const join = await request(m, 'join room', { up: mallory!.up, room: group });
    assert.equal(!join.ok && join.error.code, 'FORBIDDEN');
    const joinAsBob = await request(m, 'join room', { up: bob!.up, room: group });
    assert.equal(!joinAsBob.ok && joinAsBob.error.code, 'FORBIDDEN');

    const rest = await cluster.rest('GET', `/chat/${group}/message`, { user: mallory });
    assert.equal(rest.status, 403);

    assert.deepEqual(await history(alice!, group), []);
    assert.deepEqual(bobSaw, []);
  });

  it('answers a retried send (same clientId) with the first stored message, not a duplicate', async () => {
    const [alice] = await cluster.users(1);
    const group = await cluster.group(alice!, []);
    const a = await cluster.connect(alice!);
    const payload = {
      message: 'only once', up: alice!.up, room: group, clientId: clientId(),
    };
    const first = await request<SendMessageResult>(a, 'chat message', payload);
    const retry = await request<SendMessageResult>(a, 'chat message', payload);
    assert.ok(first.ok && retry.ok);
    assert.equal(retry.id, first.id);
    assert.equal(retry.seq, first.seq);
    assert.equal((await history(alice!, group)).length, 1);
  });

  it('gives every member the same order, equal to seq order, when 10 senders send at once', async () => {
    const users = await cluster.users(10);
    const [owner, ...rest] = users;
    const group = await cluster.group(owner!, rest);
    const clients = await Promise.all(users.map((u) => cluster.connect(u)));
    const seen = clients.map((c) => collect(c, 'chat message'));
    const perSender = 5;

    const acks = await Promise.all(clients.flatMap((c, i) => Array.from({ length: perSender }, (_, k) => (
      request<SendMessageResult>(c, 'chat message', {
        message: `from ${i} #${k}`, up: users[i]!.up, room: group, clientId: clientId(),
      })))));
    assert.ok(acks.every((a) => a.ok), JSON.stringify(acks.find((a) => !a.ok)));
    const total = users.length * perSender;
    const ackedSeqs = acks.map((a) => (a.ok ? a.seq : 0)).sort((x, y) => x - y);
    assert.deepEqual(ackedSeqs, Array.from({ length: total }, (_, i) => i + 1));

    await eventually(() => seen.every((s) => s.length === total), 'every member receiving every message');
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    seen.forEach((s) => assert.deepEqual(s.map((m) => m.seq), expected));

    const stored = await history(owner!, group);
    assert.deepEqual(stored.map((m) => m.id), seen[0]!.map((m) => m.id));
  });

  it('sends the newest page on join, and the same messages the history route gives', async () => {
    const [alice] = await cluster.users(1);
    const group = await cluster.group(alice!, []);
    const a = await cluster.connect(alice!);
    for (let i = 1; i <= 3; i += 1) {
      const ack = await request(a, 'chat message', {
        message: `m${i}`, up: alice!.up, room: group, clientId: clientId(),
      });
      assert.ok(ack.ok);
    }
    const join = await request<JoinRoomResult>(a, 'join room', { up: alice!.up, room: group });
    assert.ok(join.ok, JSON.stringify(join));
    assert.equal(join.lastSeq, 3);
    assert.equal(join.hasMore, false);
    assert.deepEqual(join.messages.map((m) => m.message), ['m1', 'm2', 'm3']);
    assert.deepEqual(join.messages, await history(alice!, group));
  });
  it('relays typing to the others, stores read positions (never backwards) and stops delivery after leave room', async () => {
    const [alice, bob] = await cluster.users(2);
    const group = await cluster.group(alice!, [bob!]);
    const a = await cluster.connect(alice!);
    const b = await cluster.connect(bob!);
    const aliceTyping = collect(a, 'typing');
    const bobTyping = next(b, 'typing');
    assert.deepEqual(await request(a, 'typing', { room: group }), { ok: true });
    assert.deepEqual(await bobTyping, { room: group, up: alice!.up });

    for (let i = 1; i <= 3; i += 1) {
      assert.ok((await request(a, 'chat message', {
        message: `m${i}`, up: alice!.up, room: group, clientId: clientId(),
      })).ok);
    }
    const aliceHears = next(a, 'read', (e) => e.up === bob!.up);
    const read = await request<ReadResult>(b, 'read', { room: group, seq: 3 });
    assert.deepEqual(read, { ok: true, lastReadSeq: 3 });
    assert.deepEqual(await aliceHears, { room: group, up: bob!.up, seq: 3 });
    const back = await request<ReadResult>(b, 'read', { room: group, seq: 1 });
    assert.deepEqual(back, { ok: true, lastReadSeq: 3 }, 'a read position never goes back');
    const future = await request(b, 'read', { room: group, seq: 99 });
    assert.equal(!future.ok && future.error.code, 'VALIDATION_FAILED');
    const groups = await cluster.rest('GET', '/chat/groups', { user: bob });
    type Summary = { id: string; unread: number; lastReadSeq: number };
    const mine = (groups.body as { items: Summary[] }).items.find((g) => g.id === group);
    assert.deepEqual([mine?.lastReadSeq, mine?.unread], [3, 0]);

    assert.deepEqual(await request(b, 'leave room', { room: group }), { ok: true });
    const bobSaw = collect(b, 'chat message');
    const aliceSaw = collect(a, 'chat message');
    assert.ok((await request(a, 'chat message', {
      message: 'bob left the room', up: alice!.up, room: group, clientId: clientId(),
    })).ok);
    await eventually(() => aliceSaw.length === 1, 'alice receiving her own message');
    await sleep(100);
    assert.deepEqual(bobSaw, [], 'no live delivery after leave room');
    assert.deepEqual(aliceTyping, [], 'the typist does not hear their own typing');
    // Still a member: joining again brings the missed message.
    const rejoin = await request<JoinRoomResult>(b, 'join room', { up: bob!.up, room: group, since: 3 });
    assert.ok(rejoin.ok);
    assert.deepEqual(rejoin.messages.map((m) => m.message), ['bob left the room']);
  });
});
