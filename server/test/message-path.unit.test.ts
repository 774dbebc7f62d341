/**
 * The send path on its own, in a real Socket.IO server with the in-memory
 * buffer and a stand-in for the data service's batch call: the sender hears
 * back only once the message is stored and in the recent buffer; the room
 * hears it after the ack; a refusal or an outage is an error and nobody hears
 * anything; a closing server stores nothing.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import type { Socket as ClientSocket } from 'socket.io-client';
import { AppError } from '@chat/shared';
import type { ChatMessagePayload, StoredMessage } from '@chat/shared';
import type { NewMessage } from '../src/data/client';
import { createMemoryBuffer } from '../src/history/memory-buffer';
import { createMessagePath } from '../src/messages/message-path';
import type { MessagePathOptions } from '../src/messages/message-path';
import { createChatMetrics } from '../src/metrics';
import type { ChatIo } from '../src/sockets/types';

const ROOM = 'a'.repeat(24);

type StoreCall = MessagePathOptions['data']['storeMessages'];

const stored = (m: NewMessage, seq: number): StoredMessage => ({
  id: `id${seq}`, group: m.group, seq, from: m.from, message: m.message, clientId: m.clientId, timestamp: new Date().toISOString(),
});

describe('message path', () => {
  let httpServer: http.Server;
  let io: ChatIo;
  let listener: ClientSocket;
  let heard: ChatMessagePayload[];
  let closing: boolean;

  before(async () => {
    httpServer = http.createServer();
    io = new Server(httpServer) as ChatIo;
    io.on('connection', (socket) => { void socket.join(ROOM); });
    await new Promise<void>((resolve) => { httpServer.listen(0, '127.0.0.1', resolve); });
    const { port } = httpServer.address() as AddressInfo;
    listener = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
    await new Promise<void>((resolve) => { listener.once('connect', () => resolve()); });
    listener.on('chat message', (message: ChatMessagePayload) => heard.push(message));
  });
  after(async () => {
    listener.close();
    await new Promise<void>((resolve) => { io.close(() => resolve()); });
  });
  beforeEach(() => { heard = []; closing = false; });

  const pathWith = (storeMessages: StoreCall) => {
    const buffer = createMemoryBuffer(50);
    const path = createMessagePath({
      io,
      data: { storeMessages },
      buffer,
      metrics: createChatMetrics(),
      limiter: { consume: async () => undefined },
      isClosing: () => closing,
      batchWindowMs: 0,
      maxBatch: 10,
      maxInFlight: 4,
    });
    return { path, buffer };
  };
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((r) => { setTimeout(r, 5); });
  };

  it('acknowledges once stored and buffered, then delivers to the room', async () => {
    let seq = 0;
    const { path, buffer } = pathWith(async (messages) => messages.map((m) => {
      seq += 1;
      return { ok: true as const, status: 201 as const, message: stored(m, seq) };
    }));
    const ack = await path.send('1001', {
      up: '1001', room: ROOM, message: 'hello', clientId: 'c1',
    });
    assert.deepEqual({ id: ack.id, seq: ack.seq }, { id: 'id1', seq: 1 });
    const inBuffer = await buffer.latest(ROOM, 10);
    assert.deepEqual(inBuffer?.items.map((m) => m.message), ['hello'], 'in the buffer before the sender heard back');
    await until(() => heard.length === 1);
    assert.deepEqual(heard.map((m) => [m.seq, m.up, m.room, m.message]), [[1, '1001', ROOM, 'hello']]);
  });

  it('assigns a clientId to a send without one (the original protocol)', async () => {
    const seen: string[] = [];
    const { path } = pathWith(async (messages) => messages.map((m) => {
      seen.push(m.clientId);
      return { ok: true as const, status: 201 as const, message: stored(m, 1) };
    }));
    await path.send('1001', { up: '1001', room: ROOM, message: 'no id' });
    assert.equal(seen.length, 1);
    assert.match(seen[0] ?? '', /^[0-9a-f-]{36}$/);
  });

  it('answers a refusal or an outage with an error, and nobody hears anything', async () => {
    const refused = pathWith(async () => [{ ok: false as const, error: { code: 'FORBIDDEN' as const, message: 'not a member' } }]);
    await assert.rejects(
      refused.path.send('1001', {
        up: '1001', room: ROOM, message: 'x', clientId: 'c2',
      }),
      (err: unknown) => err instanceof AppError && err.code === 'FORBIDDEN',
    );
    const down = pathWith(async () => { throw new AppError('UNAVAILABLE', 'data service away'); });
    await assert.rejects(
      down.path.send('1001', {
        up: '1001', room: ROOM, message: 'x', clientId: 'c3',
      }),
      (err: unknown) => err instanceof AppError && err.code === 'UNAVAILABLE',
    );
    assert.equal(await refused.buffer.latest(ROOM, 10), null);
    await new Promise((r) => { setTimeout(r, 50); });
    assert.deepEqual(heard, []);
  });

  it('stores nothing once the server is closing', async () => {
    let calls = 0;
    const { path } = pathWith(async (messages) => {
      calls += 1;
      return messages.map((m) => ({ ok: true as const, status: 201 as const, message: stored(m, 1) }));
    });
    closing = true;
    await assert.rejects(
      path.send('1001', {
        up: '1001', room: ROOM, message: 'late', clientId: 'c4',
      }),
      (err: unknown) => err instanceof AppError && err.code === 'UNAVAILABLE',
    );
    assert.equal(calls, 0);
  });
});
