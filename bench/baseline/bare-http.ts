/**
 * Baseline for placement: a bare Express app (the dispatcher's framework)
 * answering a constant JSON body of the shape of GET /chat/location, without
 * auth or a map lookup. Forked by the bench runner.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { serveCommands } from '../lib/processes';

const app = express();
const body = { url: 'http://127.0.0.1:4000', serverId: 'chat-1', mapVersion: 1 };
app.get('/chat/location', (_req, res) => { res.json(body); });

const server = app.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
  serveCommands({}, { port: (server.address() as AddressInfo).port });
});
server.keepAliveTimeout = 60000;
