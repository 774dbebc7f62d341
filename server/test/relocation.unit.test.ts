/**
 * Moving sockets whose user is now served elsewhere, on a real Socket.IO
 * server in this process: each moved socket is told where to go (`relocate`)
 * and disconnected, a batch at a time; users still served here stay; a
 * shutdown moves everyone at once.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { Server } from 'socket.io';
import { io as connectClient } from 'socket.io-client';
import type { Socket as ClientSocket } from 'socket.io-client';
import { closeServer, listen, localUrl } from '@chat/shared';
import { createRelocation } from '../src/placement/relocation';
import type { ChatIo } from '../src/sockets/types';

interface Relocated { url: string; reason: string }

describe('chat server: relocation', () => {
  let httpServer: http.Server;
  let io: ChatIo;
  let url: string;
  const clients: ClientSocket[] = [];

  before(async () => {
    httpServer = http.createServer();
    io = new Server(httpServer);
    // The handshake's job in the real server: who the socket belongs to.
    io.use((socket, next) => {
      const { up } = socket.handshake.auth as { up?: string };
      if (!up) { next(new Error('up is required')); return; }
      Object.assign(socket.data, { up, username: `user${up}` });
      next();
    });
    url = localUrl('127.0.0.1', await listen(httpServer, 0, '127.0.0.1'));
  });
  afterEach(() => { clients.splice(0).forEach((c) => c.disconnect()); });
  after(() => closeServer(httpServer, 1000, () => io.close()));

  /** Connects `up`, resolving with where it is told to go (or null when it stays). */
  async function connect(up: string): Promise<{ relocated: Promise<Relocated | null> }> {
    const client = connectClient(url, { auth: { up }, transports: ['websocket'], reconnection: false });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('connect_error', reject);
    });
    const relocated = new Promise<Relocated | null>((resolve) => {
      client.once('relocate', (event: Relocated) => resolve(event));
      client.once('disconnect', () => resolve(null));
    });
    return { relocated };
  }

  const connectedUps = () => [...io.of('/').sockets.values()].map((s) => s.data.up).sort();

  it('moves the users served elsewhere, a batch at a time, and keeps the rest', async () => {
    const moved = ['1001', '1002', '1003', '1004', '1005'];
    const relocation = createRelocation({
      io,
      batchSize: 2,
      batchMs: 20,
      destination: (up) => (up.startsWith('10') ? `http://other.test/${up}` : null),
      answers: async () => true,
    });
    const sockets = await Promise.all([...moved, '2001'].map(connect));
    relocation.sweep();
    // The first batch goes once its destinations are known to answer (a resolved promise here).
    await new Promise(setImmediate);
    assert.equal(connectedUps().filter((up) => moved.includes(up)).length, 3, 'the first batch of 2 went at once');
    const events = await Promise.all(sockets.slice(0, moved.length).map((s) => s.relocated));
    assert.deepEqual(events, moved.map((up) => ({ url: `http://other.test/${up}`, reason: 'placement changed' })));
    assert.deepEqual(connectedUps(), ['2001']);
    relocation.stop();
  });

  it('moves everyone at once on shutdown, to where each user is told', async () => {
    const relocation = createRelocation({
      io, batchSize: 1, batchMs: 1000, destination: () => null, answers: async () => true,
    });
    const sockets = await Promise.all(['1001', '2001'].map(connect));
    relocation.relocateAll((up) => `http://next.test/${up}`, 'server shutting down');
    assert.deepEqual(connectedUps(), []);
    assert.deepEqual(await Promise.all(sockets.map((s) => s.relocated)), [
      { url: 'http://next.test/1001', reason: 'server shutting down' },
      { url: 'http://next.test/2001', reason: 'server shutting down' },
    ]);
  });
});
