/**
 * A stand-in chat server in this process: a real Socket.IO server that admits
 * the token `good-token`, or refuses handshakes as told; tests add handlers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

export interface StandIn {
  id: string;
  url: string;
  io: Server;
  /** What the next handshakes are refused with (null: accepted). */
  refuseWith: { code: string; url?: string } | null;
  close(): Promise<void>;
}

export async function standIn(id: string): Promise<StandIn> {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { transports: ['websocket'] });
  const server: StandIn = {
    id, url: '', io, refuseWith: null, close: async () => {},
  };
  io.use((socket, next) => {
    const { token } = (socket.handshake.auth as { token?: unknown });
    if (token !== 'good-token') {
      next(Object.assign(new Error('invalid token'), { data: { code: 'UNAUTHORIZED' } }));
      return;
    }
    if (server.refuseWith) {
      next(Object.assign(new Error('not this server'), { data: server.refuseWith }));
      return;
    }
    next();
  });
  await new Promise<void>((resolve) => { httpServer.listen(0, '127.0.0.1', resolve); });
  server.url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  server.close = () => new Promise((resolve) => {
    io.disconnectSockets(true);
    void io.close(() => resolve());
  });
  return server;
}

export const waitFor = async (check: () => boolean, what: string, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => { setTimeout(r, 10); });
  }
};
