/**
 * A dispatcher whose placement map the test sets by hand, speaking the
 * registry half of the contract (register, heartbeat, deregister, map), so
 * the chat server's side of placement can be driven exactly.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { PlacementMap } from '@chat/shared';
import { INTERNAL_TOKEN } from './cluster';
import type { Cluster } from './cluster';

interface Registered { id: string; url: string; capacity: number; load: number }

export class FakeDispatcher {
  map: PlacementMap = { version: 1, leaves: {}, servers: {} };

  readonly servers = new Map<string, Registered>();

  readonly calls: string[] = [];

  /** Once set, heartbeats answer with this map whatever `map` becomes: a server between two beats. */
  private beatMap?: PlacementMap;

  private server?: http.Server;

  url = '';

  async start(): Promise<void> {
    const app = express();
    app.use(express.json());
    app.use((req, res, next) => {
      if (req.get('x-internal-token') !== INTERNAL_TOKEN) {
        res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'internal token required' } });
        return;
      }
      next();
    });
    app.post('/dispatcher/servers', (req, res) => {
      const body = req.body as Registered;
      this.calls.push(`register ${body.id}`);
      this.servers.set(body.id, body);
      this.map = {
        ...this.map, version: this.map.version + 1, servers: { ...this.map.servers, [body.id]: { url: body.url } },
      };
      res.json({ map: this.map, heartbeatIntervalMs: 100 });
    });
    app.put('/dispatcher/servers/:id/heartbeat', (req, res) => {
      const known = this.servers.get(req.params.id);
      if (!known) {
        res.status(404).json({ error: { code: 'NOT_FOUND', message: 'unknown server' } });
        return;
      }
      known.load = (req.body as Registered).load;
      res.json({ map: this.beatMap ?? this.map });
    });
    app.delete('/dispatcher/servers/:id', (req, res) => {
      const { id } = req.params;
      this.calls.push(`deregister ${id}`);
      this.servers.delete(id);
      // As the real one does: a leaving server's leaves move to a live one before the answer.
      const heir = [...this.servers.keys()][0];
      if (heir) {
        const leaves = Object.fromEntries(Object.entries(this.map.leaves)
          .map(([suffix, owner]) => [suffix, owner === id ? heir : owner]));
        this.map = { ...this.map, version: this.map.version + 1, leaves };
      }
      res.status(204).end();
    });
    app.get('/dispatcher/servers', (_req, res) => {
      // The shape the real dispatcher answers (the chat server checks it against the contract).
      const servers = [...this.servers.values()].map((server) => ({
        id: server.id,
        url: server.url,
        capacity: server.capacity,
        load: server.load,
        lastHeartbeat: new Date().toISOString(),
        alive: true,
        draining: false,
        leaves: Object.values(this.map.leaves).filter((owner) => owner === server.id).length,
      }));
      res.json({ servers, map: this.map });
    });
    await new Promise<void>((resolve) => { this.server = app.listen(0, '127.0.0.1', () => resolve()); });
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** Digit leaves "0".."9": `owner(digit)` names the server id for each. */
  place(owner: (digit: number) => string): void {
    const leaves: Record<string, string> = {};
    for (let d = 0; d <= 9; d += 1) leaves[String(d)] = owner(d);
    this.map = { ...this.map, version: this.map.version + 1, leaves };
  }

  /** From now on heartbeats carry the current map only; a server sees later maps only by asking for them. */
  freezeBeats(): void {
    this.beatMap = this.map;
  }

  forget(id: string): void {
    this.servers.delete(id);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => { this.server?.close(resolve); });
  }
}

/**
 * A fake dispatcher placing digits 0–4 on 'chat-a' and 5–9 on 'chat-b', and
 * those two chat servers started on it (server 0 and server 1 of `cluster`).
 */
export async function twoServersOnFakeDispatcher(
  cluster: Cluster,
  env: Record<string, string>,
): Promise<FakeDispatcher> {
  const dispatcher = new FakeDispatcher();
  await dispatcher.start();
  dispatcher.place((d) => (d < 5 ? 'chat-a' : 'chat-b'));
  const common = { DISPATCHER_URL: dispatcher.url, HEARTBEAT_INTERVAL_MS: '100', ...env };
  await cluster.addServer({ ...common, SERVER_ID: 'chat-a' });
  await cluster.addServer({ ...common, SERVER_ID: 'chat-b' });
  return dispatcher;
}
