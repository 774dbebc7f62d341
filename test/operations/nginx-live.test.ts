/**
 * The production entry run for real: the machine's nginx with deploy/nginx/chat.conf
 * (only its compose addresses, listen port and client root rendered to local ones) in
 * front of two chat servers, two dispatchers and the built test client. Everything a
 * user does goes through nginx: the page, sign-up, GET /chat/location, REST, /docs,
 * Socket.IO under /s/<serverId>/ over WebSocket and over long-polling, and a chat
 * server killed (kill -9) behind it: its prefix answers 503 in the error shape, its
 * users come back on the other server through nginx, and every acknowledged message
 * is held once by every member.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { io } from 'socket.io-client';
import { freePort } from '@chat/local-services';
import { fetchLocation } from '@chat/protocol-client';
import type {
  Ack, ErrorBody, JoinRoomResult, SendMessageResult,
} from '@chat/shared';
import { ResilientClient, deliveryReport } from '../support/chat-client';
import type { ClientSocket, Locator } from '../support/chat-client';
import { startSystem } from '../support/system';
import type { Account, ChatServerProcess, TestSystem } from '../support/system';
import { ROOT, loadCompose, servicesOf } from './support/compose';
import { CHAT_CONF } from './support/nginx';
import {
  buildClient, findNginx, makePrefix, startNginx,
} from './support/nginx-live';
import type { RunningNginx } from './support/nginx-live';

const HEARTBEAT_TIMEOUT_MS = 3000;
/** Users on each chat server in the group: enough to see every one of them move. */
const PER_SERVER = 3;

interface Placement { url: string; serverId: string; mapVersion: number }

/** Polls `check` until it holds, or fails with `describe()` after `timeoutMs`. */
async function eventually(timeoutMs: number, check: () => boolean, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => { setTimeout(r, 50); });
  }
}

function emitWithAck<T extends object>(socket: ClientSocket, send: (done: (r: Ack<T>) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ack')), 10000);
    send((r) => {
      clearTimeout(timer);
      if (r.ok) resolve(r); else reject(new Error(`${r.error.code}: ${r.error.message}`));
    });
  });
}

describe('operations: nginx live in front of the system (deploy/nginx/chat.conf)', function () {
  this.timeout(60000);
  let system: TestSystem | undefined;
  let proxy: RunningNginx | undefined;
  let removePrefix: (() => void) | undefined;
  let origin = '';
  const clients: ResilientClient[] = [];
  let accounts: Account[] = [];
  const placements = new Map<string, Placement>();
  let room = '';
  /** The group: PER_SERVER users placed on each chat server. */
  let members: Account[] = [];

  /** fetch through nginx only. */
  const viaNginx = (pathname: string, token?: string, init: RequestInit = {}) => fetch(`${origin}${pathname}`, {
    ...init,
    headers: {
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
  const locator: Locator = { locate: (token) => fetchLocation(origin, token) };
  const serverOf = (a: Account) => (placements.get(a.up) as Placement).serverId;

  before(async function () {
    this.timeout(180000);
    const bin = findNginx();
    if (!bin) {
      if (process.env.CI === 'true') throw new Error('nginx is not installed; CI must install it (Debian package nginx)');
      process.stdout.write('      skipped: nginx is not installed (apt-get install nginx to run this file)\n');
      this.skip();
    }
    const listenPort = await freePort();
    origin = `http://127.0.0.1:${listenPort}`;
    const made = makePrefix();
    removePrefix = made.remove;
    buildClient(made.htmlRoot);

    system = await startSystem({
      chatServers: 0,
      dispatchers: 2,
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      heartbeatIntervalMs: HEARTBEAT_TIMEOUT_MS / 3,
      label: 'nginx live',
    });
    // As in compose: each chat server's public URL is the proxy's origin and its own prefix.
    await system.addChatServer({ PUBLIC_URL: `${origin}/s/chat-1` });
    await system.addChatServer({ PUBLIC_URL: `${origin}/s/chat-2` });

    // Compose's third chat server is not run: its address is a port nothing listens on,
    // so nginx meets it as it would a crashed container.
    const production = loadCompose('docker-compose.yml');
    const local = new Map<string, string>([
      ...system.dispatchers.map((d, i) => [`dispatcher-${i + 1}`, d.url] as const),
      ...system.chatServers.map((s) => [s.id, s.url] as const),
    ]);
    const addresses = new Map<string, string>();
    for (const service of [...servicesOf(production, 'dispatcher'), ...servicesOf(production, 'server')]) {
      const url = local.get(service.name);
      addresses.set(`${service.name}:${service.env.PORT}`, url ? new URL(url).host : `127.0.0.1:${await freePort()}`);
    }
    proxy = await startNginx(bin as string, made.prefix, { addresses, listenPort, htmlRoot: made.htmlRoot });
  });

  after(async () => {
    clients.forEach((c) => c.close());
    await proxy?.stop();
    removePrefix?.();
    await system?.close();
  });

  it('runs the shipped config with only addresses, listen port and client root changed', () => {
    const shipped = fs.readFileSync(path.join(ROOT, CHAT_CONF), 'utf8').split('\n');
    const rendered = fs.readFileSync(path.join((proxy as RunningNginx).prefix, 'chat.conf'), 'utf8').split('\n');
    assert.equal(rendered.length, shipped.length);
    const changed = shipped.filter((line, i) => rendered[i] !== line).map((line) => line.trim());
    changed.forEach((line) => assert.match(line, /^(upstream \S+ \{ zone \S+ 64k; )?server |^listen |^root /, line));
    assert.equal(changed.length, 10, 'five upstream servers, three single-server upstreams, listen, root');
  });

  it('serves the built client and its same-origin configuration', async () => {
    const page = await viaNginx('/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /config\.js/);
    const config = await viaNginx('/config.js');
    assert.equal(config.status, 200);
    assert.match(await config.text(), /window\.CHAT_CONFIG = \{ dispatcherUrl: window\.location\.origin/);
  });

  it('signs a user up and places it: GET /chat/location names the chat server under nginx', async () => {
    const up = '71000';
    const res = await viaNginx('/auth/register', undefined, {
      method: 'POST',
      body: JSON.stringify({
        up, username: `user${up}`, name: `User ${up}`, password: 'correct horse battery',
      }),
    });
    const body = await res.json() as { token: string; user: Account['user'] };
    assert.equal(res.status, 201, JSON.stringify(body));
    const registered: Account = { up, token: body.token, user: body.user };

    // More users, straight into the data service (sign-up is slow on purpose), placed through nginx.
    const created = await (system as TestSystem).createAccounts(
      Array.from({ length: 24 }, (_, i) => `71${String(i + 1).padStart(3, '0')}`),
    );
    accounts = [registered, ...created];
    for (const a of accounts) placements.set(a.up, await locator.locate(a.token) as Placement);
    placements.forEach((p) => {
      assert.ok(['chat-1', 'chat-2'].includes(p.serverId), p.serverId);
      assert.equal(p.url, `${origin}/s/${p.serverId}`);
    });
    assert.ok(['chat-1', 'chat-2'].every((id) => accounts.filter((a) => serverOf(a) === id).length >= PER_SERVER));
  });

  it('answers REST through nginx: a group created and listed, unprefixed and under a server prefix', async () => {
    members = ['chat-1', 'chat-2'].flatMap((id) => accounts.filter((a) => serverOf(a) === id).slice(0, PER_SERVER));
    const [owner] = members as [Account];
    const created = await viaNginx('/chat/groups', owner.token, {
      method: 'POST', body: JSON.stringify({ name: 'behind nginx', users: members.map((a) => a.up) }),
    });
    const group = await created.json() as { id: string };
    assert.equal(created.status, 201, JSON.stringify(group));
    room = group.id;
    const lists = await Promise.all(['/chat/groups', `/s/${serverOf(owner)}/chat/groups`].map(async (p) => {
      const res = await viaNginx(p, owner.token);
      assert.equal(res.status, 200, p);
      return JSON.stringify(await res.json());
    }));
    lists.forEach((list) => assert.ok(list.includes(room), list));
  });

  it('serves /docs from the dispatchers', async () => {
    const ui = await viaNginx('/docs/');
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /swagger/i);
    const spec = await viaNginx('/docs/swagger.json');
    assert.equal(spec.status, 200);
    const doc = await spec.json() as { paths: Record<string, unknown> };
    assert.ok('/chat/location' in doc.paths, Object.keys(doc.paths).join(', '));
  });

  it('carries Socket.IO over WebSocket under /s/<serverId>/ on both servers', async () => {
    await Promise.all(members.map(async (a) => {
      const client = new ResilientClient(locator, a.up, a.token, { maxRetryDelayMs: 250 });
      clients.push(client);
      await client.connect();
      await client.join(room);
    }));
    clients.forEach((c) => {
      assert.equal(c.socket?.io.engine.transport.name, 'websocket', c.up);
      assert.equal(c.currentUrl, `${origin}/s/${c.serverId}`, c.up);
    });
    const [first, last] = [clients[0] as ResilientClient, clients[clients.length - 1] as ResilientClient];
    assert.notEqual(first.serverId, last.serverId, 'the group spans both servers');
    const { seq } = await first.send(room, 'over websocket');
    await eventually(10000, () => clients.every((c) => (c.messages.get(room) ?? []).some((m) => m.seq === seq)), () => 'not delivered to all');
  });

  it('carries Socket.IO over long-polling under /s/<serverId>/', async () => {
    const member = clients[0] as ResilientClient;
    const account = accounts.find((a) => a.up === member.up) as Account;
    const socket: ClientSocket = io(origin, {
      path: `/s/${serverOf(account)}/socket.io`,
      auth: { token: account.token },
      transports: ['polling'],
      reconnection: false,
      forceNew: true,
      timeout: 5000,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      assert.equal(socket.io.engine.transport.name, 'polling');
      const joined = await emitWithAck<JoinRoomResult>(socket, (done) => socket.emit('join room', { up: account.up, room, since: 0 }, done));
      assert.ok(joined.messages.some((m) => m.message === 'over websocket'), 'catch-up over polling');
      const received = new Promise<string>((resolve) => { socket.on('chat message', (m) => { if (m.message === 'from websocket') resolve(m.message); }); });
      const sent = await emitWithAck<SendMessageResult>(socket, (done) => socket.emit('chat message', {
        message: 'over polling', up: account.up, room, clientId: crypto.randomUUID(), timestamp: new Date().toISOString(),
      }, done));
      await eventually(10000, () => clients.every((c) => (c.messages.get(room) ?? []).some((m) => m.seq === sent.seq)), () => 'polling message not delivered');
      await (clients[clients.length - 1] as ResilientClient).send(room, 'from websocket');
      assert.equal(await received, 'from websocket');
    } finally {
      socket.disconnect();
    }
  });

  it('moves a killed chat server\'s users to the other one through nginx, losing no acknowledged message', async () => {
    const sys = system as TestSystem;
    const [victim, survivor] = ['chat-1', 'chat-2']
      .map((id) => sys.chatServers.find((s) => s.id === id)) as [ChatServerProcess, ChatServerProcess];
    const movers = clients.filter((c) => c.serverId === victim.id);
    const stayers = clients.filter((c) => c.serverId === survivor.id);
    assert.ok(movers.length > 0 && stayers.length > 0);

    const acked = new Map<string, number[]>();
    let sent = 0;
    const send = async (c: ResilientClient, text: string) => {
      sent += 1;
      const { seq } = await c.send(room, text);
      acked.set(room, [...(acked.get(room) ?? []), seq]);
    };
    // What earlier tests acknowledged counts too: every member must still hold it.
    const before = clients[0] as ResilientClient;
    acked.set(room, (before.messages.get(room) ?? []).map((m) => m.seq));
    sent = acked.get(room)?.length ?? 0;
    await Promise.all(clients.map((c) => send(c, `before ${c.up}`)));

    await victim.kill();
    // The dead server's prefix answers in the system's error shape, from nginx itself.
    const gone = await viaNginx(`/s/${victim.id}/chat/groups`, (members[0] as Account).token);
    assert.equal(gone.status, 503);
    assert.equal(gone.headers.get('retry-after'), '2');
    assert.equal((await gone.json() as ErrorBody).error.code, 'UNAVAILABLE');
    await Promise.all(stayers.map((c) => send(c, `during ${c.up}`)));

    const survivorUrl = `${origin}/s/${survivor.id}`;
    const missing = (c: ResilientClient) => {
      const held = new Set((c.messages.get(room) ?? []).map((m) => m.seq));
      return (acked.get(room) ?? []).filter((seq) => !held.has(seq));
    };
    await eventually(
      HEARTBEAT_TIMEOUT_MS + 20000,
      () => movers.every((c) => c.connected && c.currentUrl === survivorUrl && missing(c).length === 0),
      () => movers.map((c) => `${c.up} at ${c.currentUrl} (${c.lastConnectError}) missing ${missing(c).join(',')}`).join('; '),
    );
    await Promise.all(movers.map((c) => send(c, `after ${c.up}`)));
    await eventually(10000, () => clients.every((c) => missing(c).length === 0), () => 'after-kill messages not delivered');

    const report = deliveryReport(sent, acked, new Map([[room, clients]]));
    process.stdout.write(`      nginx failover: ${JSON.stringify(report)}\n`);
    assert.equal(report.lost, 0);
    assert.equal(report.duplicated, 0);
    assert.equal(report.acked, sent);
    movers.forEach((c) => assert.equal(c.serverId, survivor.id, `${c.up} placed on the survivor`));
  });
});
