/**
 * Baseline floor: raw WebSocket (`ws`) relaying JSON frames to the sockets of
 * a room, acknowledging the sender. With BENCH_REDIS_URL, rooms span servers
 * through Redis sharded pub/sub (SSUBSCRIBE per room with local members), the
 * same mechanism the Socket.IO adapter uses, minus Socket.IO.
 * Frames in: {t:'join', room, id} | {t:'msg', room, id, ...}; out: {t:'ack', id} | the 'msg' frame.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import WebSocket, { WebSocketServer } from 'ws';
import { serveCommands } from '../lib/processes';

const rooms = new Map<string, Set<WebSocket>>();

const deliver = (room: string, frame: string) => {
  rooms.get(room)?.forEach((ws) => { if (ws.readyState === WebSocket.OPEN) ws.send(frame); });
};

async function main(): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL;
  const pub = redisUrl ? createClient({ url: redisUrl }) : undefined;
  const sub = pub?.duplicate();
  if (pub && sub) await Promise.all([pub.connect(), sub.connect()]);
  const channel = (room: string) => `bare-ws:${room}`;

  const join = async (ws: WebSocket, room: string) => {
    let members = rooms.get(room);
    if (!members) {
      members = new Set();
      rooms.set(room, members);
      await sub?.sSubscribe(channel(room), (frame) => deliver(room, frame));
    }
    members.add(ws);
  };

  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    const joined = new Set<string>();
    ws.on('message', (data) => {
      const frame = data.toString();
      const m = JSON.parse(frame) as { t?: string; room?: unknown; id?: unknown };
      const room = String(m.room);
      if (m.t === 'join') {
        joined.add(room);
        void join(ws, room).then(() => ws.send(JSON.stringify({ t: 'ack', id: m.id })));
        return;
      }
      ws.send(JSON.stringify({ t: 'ack', id: m.id }));
      if (pub) void pub.sPublish(channel(room), frame); else deliver(room, frame);
    });
    ws.on('close', () => joined.forEach((room) => rooms.get(room)?.delete(ws)));
  });
  await new Promise<void>((resolve) => { server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', resolve); });
  serveCommands({}, { port: (server.address() as AddressInfo).port });
}

main().catch((err: unknown) => {
  process.stderr.write(`bare-ws: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
