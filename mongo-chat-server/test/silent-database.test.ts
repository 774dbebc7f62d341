/**
 * The database stops answering without closing its connections (a server that
 * hangs, a network path that drops packets): calls answer 503 instead of
 * waiting forever, sends do not queue up behind the silent one, and the service
 * serves again once the path is back, without a restart.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { testMongoUrl } from '@chat/local-services';
import type { Group } from '@chat/shared';
import {
  createGroup, createUser, eventually, postMessage, startHarness,
} from './helpers';
import type { Harness } from './helpers';

/** A TCP relay to the database that can go silent: it keeps every connection open and forwards nothing. */
class SilencingRelay {
  silent = false;

  private readonly pairs = new Set<[net.Socket, net.Socket]>();

  private readonly server: net.Server;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.pairs.add(pair);
      const end = () => { client.destroy(); upstream.destroy(); this.pairs.delete(pair); };
      client.on('data', (chunk) => { if (!this.silent) upstream.write(chunk); });
      upstream.on('data', (chunk) => { if (!this.silent) client.write(chunk); });
      [client, upstream].forEach((s) => { s.on('error', end); s.on('close', end); });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => { this.server.listen(0, '127.0.0.1', resolve); });
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The path is back: connections that went silent are dead (reset), new ones go through. */
  heal(): void {
    this.silent = false;
    this.pairs.forEach(([client, upstream]) => { client.destroy(); upstream.destroy(); });
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.heal();
    await new Promise<void>((resolve) => { this.server.close(() => resolve()); });
  }
}

describe('data service: database gone silent', function () {
  this.timeout(60000);
  let relay: SilencingRelay;
  let h: Harness;
  let group: Group;
  const texts = async () => {
    const res = await h.api.get('/group/messages').query({ groupID: group.id, page: 0, perPage: 50 });
    return (res.body.items as { message: string; seq: number }[]).map((m) => `${m.seq}:${m.message}`);
  };

  before(async () => {
    const direct = new URL(testMongoUrl('silent'));
    relay = new SilencingRelay({ host: direct.hostname, port: Number(direct.port) });
    const relayed = new URL(direct.href);
    relayed.port = String(await relay.listen());
    h = await startHarness('silent', { mongoUrl: relayed.href, serverSelectionTimeoutMs: 1000, socketTimeoutMs: 1500 });
    await createUser(h.api, '6101');
    group = await createGroup(h.api, 'quiet line', ['6101']);
    await postMessage(h.api, group.id, '6101', 'before');
  });
  after(async () => {
    await h?.close();
    await relay?.close();
  });

  it('answers 503 to sends while the database is silent, each on its own', async () => {
    relay.silent = true;
    // Without a bound on silent sockets the first send would hold the writer, and every later one, forever.
    const sends = await Promise.all(['lost 1', 'lost 2'].map((message) => h.api.post('/message', { group: group.id, from: '6101', message })));
    sends.forEach((res) => {
      assert.equal(res.status, 503);
      assert.equal(res.body.error.code, 'UNAVAILABLE');
    });
    const later = await h.api.post('/message', { group: group.id, from: '6101', message: 'lost 3' });
    assert.equal(later.status, 503);
  });

  it('stores again once the path is back, with the history intact', async () => {
    relay.heal();
    const stored = await eventually(async () => {
      const res = await h.api.post('/message', {
        group: group.id, from: '6101', message: 'after', clientId: 'after-1',
      });
      return res.status === 201 ? res.body as { seq: number } : undefined;
    }, 20000);
    assert.equal(stored.seq, 2, 'nothing refused was stored');
    assert.deepEqual(await texts(), ['1:before', '2:after']);
  });
});
