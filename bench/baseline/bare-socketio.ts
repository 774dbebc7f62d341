/**
 * Baseline: the least a Socket.IO server of the same version can do for a
 * chat: join rooms and relay `chat message` to the room, acknowledging the
 * sender. No auth, no validation, no persistence. With BENCH_REDIS_URL it uses
 * the same sharded Redis adapter (node-redis v4) as the chat servers; with
 * BENCH_REDIS_CLUSTER_NODES (`host:port,…`) the same adapter on a Redis Cluster.
 * Forked by the bench runner; announces its port when listening.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { createClient, createCluster } from 'redis';
import { Server } from 'socket.io';
import { serveCommands } from '../lib/processes';

type Ack = (reply: Record<string, unknown>) => void;
const asRecord = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? v as Record<string, unknown> : {});

async function main(): Promise<void> {
  const server = http.createServer();
  const io = new Server(server, { serveClient: false });
  const redisUrl = process.env.BENCH_REDIS_URL;
  const clusterNodes = (process.env.BENCH_REDIS_CLUSTER_NODES ?? '').split(',').filter(Boolean);
  if (clusterNodes.length > 0) {
    // Two cluster clients, as the chat server has (one for commands and publishing, one subscribing).
    const cluster = () => createCluster({ rootNodes: clusterNodes.map((node) => ({ url: `redis://${node}` })) });
    const [pub, sub] = [cluster(), cluster()];
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' }));
  } else if (redisUrl) {
    const pub = createClient({ url: redisUrl });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' }));
  }
  let seq = 0;
  io.on('connection', (socket) => {
    socket.on('join room', (payload: unknown, ack?: Ack) => {
      const room = String(asRecord(payload).room);
      void socket.join(room);
      ack?.({
        ok: true, room, messages: [], lastSeq: seq, hasMore: false,
      });
    });
    socket.on('chat message', (payload: unknown, ack?: Ack) => {
      const p = asRecord(payload);
      seq += 1;
      const message = {
        id: crypto.randomBytes(12).toString('hex'),
        seq,
        message: p.message,
        up: p.up,
        room: p.room,
        timestamp: new Date().toISOString(),
        clientId: p.clientId,
      };
      ack?.({
        ok: true, id: message.id, seq, timestamp: message.timestamp,
      });
      io.to(String(p.room)).emit('chat message', message);
    });
  });
  await new Promise<void>((resolve) => { server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', resolve); });
  serveCommands({}, { port: (server.address() as AddressInfo).port });
}

main().catch((err: unknown) => {
  process.stderr.write(`bare-socketio: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
