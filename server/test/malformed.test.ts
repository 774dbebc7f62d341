/**
 * Hostile and broken clients: whatever arrives (wrong shapes, wrong types,
 * non-objects, binary, 5 MB strings, no ack callback, floods) gets an error ack
 * or is dropped; the server never crashes and everyone else keeps chatting.
 */
import assert from 'node:assert/strict';
import type { Ack, SendMessageResult } from '@chat/shared';
import { io as ioClient } from 'socket.io-client';
import {
  Cluster, clientId, collect, connected, eventually, refusal, request, sleep, startDataTier,
} from './support/cluster';
import type { ChatClient, DataTier } from './support/cluster';

describe('chat server: malformed payloads and floods', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;

  before(async () => { tier = await startDataTier('malformed'); });
  after(async () => { await tier.close(); });
  beforeEach(() => { cluster = new Cluster(tier); });
  afterEach(async () => { await cluster.close(); });

  async function room() {
    await cluster.addServer();
    const [alice, bob, eve] = await cluster.users(3);
    const group = await cluster.group(alice!, [bob!, eve!]);
    const a = await cluster.connect(alice!);
    const b = await cluster.connect(bob!);
    const bobSaw = collect(b, 'chat message');
    /** alice → bob still works. */
    const stillChatting = async (text: string) => {
      const ack = await request<SendMessageResult>(a, 'chat message', {
        message: text, up: alice!.up, room: group, clientId: clientId(),
      });
      assert.ok(ack.ok, JSON.stringify(ack));
      await eventually(() => bobSaw.some((m) => m.message === text), `bob receiving "${text}"`);
    };
    return {
      alice: alice!, eve: eve!, group, stillChatting,
    };
  }

  const codeOf = (ack: Ack) => (ack.ok ? 'OK' : ack.error.code);

  it('answers VALIDATION_FAILED to wrong shapes, wrong types, non-objects and binary, on every event', async () => {
    const {
      eve, group, stillChatting,
    } = await room();
    const e = await cluster.connect(eve);
    const good = {
      message: 'hi', up: eve.up, room: group, clientId: 'c1',
    };
    const junk: unknown[] = [
      null, 42, 'text', [], true, Buffer.from([1, 2, 3]),
      {},
      { ...good, message: 7 },
      { ...good, message: '' },
      { ...good, message: 'x'.repeat(4001) },
      { ...good, room: 'not-a-group-id' },
      { ...good, room: { $ne: null } },
      { ...good, up: ['array'] },
      { ...good, clientId: 'c'.repeat(65) },
      { message: 'no room', up: eve.up, clientId: 'c2' },
    ];
    for (const payload of junk) {
      const ack = await request(e, 'chat message', payload);
      assert.equal(codeOf(ack), 'VALIDATION_FAILED', `chat message ${JSON.stringify(payload)?.slice(0, 60)}`);
    }
    const otherEvents: [Parameters<typeof request>[1], unknown][] = [
      ['join room', { up: eve.up }],
      ['join room', { up: eve.up, room: group, since: -1 }],
      ['join room', { up: eve.up, room: group, since: 'yesterday' }],
      ['leave room', 'room'],
      ['typing', { room: 12 }],
      ['read', { room: group, seq: 1.5 }],
      ['online', {}],
    ];
    for (const [event, payload] of otherEvents) {
      const ack = await request(e, event, payload);
      assert.equal(codeOf(ack), 'VALIDATION_FAILED', `${event} ${JSON.stringify(payload)}`);
    }
    assert.ok(e.connected, 'bad payloads do not cost the connection');
    await stillChatting('after the junk');
  });

  it('survives events without an ack callback, or with only a callback', async () => {
    const { eve, group, stillChatting } = await room();
    const e = await cluster.connect(eve);
    const raw = e.emit.bind(e) as unknown as (event: string, ...args: unknown[]) => void;
    raw('chat message', {
      message: 'no ack', up: eve.up, room: group, clientId: clientId(),
    });
    raw('chat message');
    raw('join room', 'x');
    raw('typing');
    raw('read', null);
    raw('no such event', { hello: 1 });
    const onlyCallback = await new Promise<Ack>((resolve) => { raw('chat message', resolve); });
    assert.equal(codeOf(onlyCallback), 'VALIDATION_FAILED');
    await stillChatting('after the missing callbacks');
  });

  it('drops a 5 MB payload (the sender is cut off, nobody else is)', async () => {
    const { eve, group, stillChatting } = await room();
    const e = await cluster.connect(eve);
    const closed = new Promise<string>((resolve) => { e.once('disconnect', resolve); });
    const raw = e.emit.bind(e) as unknown as (event: string, ...args: unknown[]) => void;
    raw('chat message', {
      message: 'x'.repeat(5 * 1024 * 1024), up: eve.up, room: group, clientId: clientId(),
    }, () => assert.fail('a 5 MB message must not be acknowledged'));
    assert.equal(await closed, 'transport close');
    await stillChatting('after the 5 MB attempt');
    const history = await cluster.rest('GET', `/chat/${group}/message`, { user: eve });
    assert.ok(!JSON.stringify(history.body).includes('xxxxxxxxxx'), 'the huge message was not stored');
  });

  it('rate-limits a flooding socket with RATE_LIMITED, keeping its connection', async () => {
    await cluster.addServer({ SOCKET_MESSAGE_POINTS: '5', SOCKET_MESSAGE_WINDOW_S: '10' });
    const [alice] = await cluster.users(1);
    const group = await cluster.group(alice!, []);
    const a: ChatClient = await cluster.connect(alice!);
    const acks = await Promise.all(Array.from({ length: 8 }, (_, i) => request(a, 'chat message', {
      message: `flood ${i}`, up: alice!.up, room: group, clientId: clientId(),
    })));
    const codes = acks.map(codeOf);
    assert.equal(codes.filter((c) => c === 'OK').length, 5);
    assert.equal(codes.filter((c) => c === 'RATE_LIMITED').length, 3);
    await sleep(50);
    assert.ok(a.connected);
    const stored = await cluster.rest('GET', `/chat/${group}/message`, { user: alice });
    assert.equal((stored.body as { total: number }).total, 5, 'refused messages are not stored');
  });

  it('limits sockets per IP address and refuses foreign browser origins', async () => {
    await cluster.addServer({ MAX_CONNECTIONS_PER_IP: '2' });
    const [alice] = await cluster.users(1);
    await cluster.connect(alice!);
    await cluster.connect(alice!);
    const third = await refusal(cluster.client(alice!.token));
    assert.deepEqual(third.data, { code: 'RATE_LIMITED' });

    const { url } = cluster.server(0);
    const foreign = ioClient(url, {
      auth: { token: alice!.token }, transports: ['polling'], reconnection: false, extraHeaders: { origin: 'http://evil.example' },
    });
    try {
      await assert.rejects(connected(foreign), 'a page from another origin cannot open a socket');
    } finally {
      foreign.disconnect();
    }
    const preflight = (origin: string) => fetch(`${url}/chat/groups`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' },
    });
    assert.equal((await preflight('http://localhost:5173')).headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.equal((await preflight('http://evil.example')).headers.get('access-control-allow-origin'), null);
  });
});
