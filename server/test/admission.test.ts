/**
 * Who a chat server lets in or sends elsewhere (placement/admission.ts), the
 * fresh-answer helper it fetches maps and probes with, and the probe itself.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { PlacementMap } from '@chat/shared';
import { createAdmission } from '../src/placement/admission';
import { createFreshCall } from '../src/placement/fresh-call';
import { createOwnership } from '../src/placement/ownership';
import { createPeerProbe } from '../src/placement/peer-probe';

const map = (version: number, owner: (digit: number) => string): PlacementMap => ({
  version,
  leaves: Object.fromEntries(Array.from({ length: 10 }, (_, d) => [String(d), owner(d)])),
  servers: { a: { url: 'http://a' }, b: { url: 'http://b' } },
});

/** Server "a" holding `held`; the dispatcher has `latest`; `live` lists the URLs that answer. */
function setup(held: PlacementMap, latest: PlacementMap, live: string[]) {
  const ownership = createOwnership('a', 0);
  ownership.update(held);
  const asked = { refreshes: 0, probes: [] as string[] };
  const admission = createAdmission({
    ownership,
    refreshMap: async () => { asked.refreshes += 1; ownership.update(latest); },
    answers: async (url) => { asked.probes.push(url); return live.includes(url); },
  });
  return { admission, asked };
}

describe('placement admission', () => {
  const aHasLow = map(1, (d) => (d < 5 ? 'a' : 'b'));

  it('lets in a user its map places here without asking anyone', async () => {
    const { admission, asked } = setup(aHasLow, aHasLow, ['http://b']);
    assert.deepEqual(await admission.decide('103'), { admit: true });
    assert.deepEqual(asked, { refreshes: 0, probes: [] });
  });

  it('lets in a user the dispatcher moved here since the last beat', async () => {
    const { admission, asked } = setup(aHasLow, map(2, () => 'a'), ['http://b']);
    assert.deepEqual(await admission.decide('108'), { admit: true });
    assert.equal(asked.refreshes, 1);
  });

  it('sends a user placed on a live server there', async () => {
    const { admission, asked } = setup(aHasLow, aHasLow, ['http://b']);
    assert.deepEqual(await admission.decide('108'), { admit: false, url: 'http://b' });
    assert.deepEqual(asked.probes, ['http://b']);
  });

  it('keeps a user whose server does not answer rather than naming it', async () => {
    const { admission } = setup(aHasLow, aHasLow, []);
    assert.deepEqual(await admission.decide('108'), { admit: true });
  });

  it('believes a client placed by a newer map than the dispatcher gave it, and not an older one', async () => {
    const { admission } = setup(aHasLow, aHasLow, ['http://b']);
    assert.deepEqual(await admission.decide('108', 2), { admit: true });
    assert.deepEqual(await admission.decide('108', 1), { admit: false, url: 'http://b' });
    assert.deepEqual(await admission.decide('108', 0), { admit: false, url: 'http://b' });
  });
});

describe('fresh call', () => {
  it('answers with a call started after the question, one call for a crowd', async () => {
    const started: number[] = [];
    let n = 0;
    const get = createFreshCall(async () => {
      n += 1;
      const mine = n;
      started.push(mine);
      await new Promise((r) => { setTimeout(r, 20); });
      return mine;
    }, 10);
    const crowd = await Promise.all([get(), get(), get()]);
    assert.deepEqual(crowd, [1, 1, 1], 'asked together: one call');
    const during = get();
    const afterIt = get();
    assert.equal(await during, await afterIt);
    assert.equal(started.length, 2);
    // Asked while a call runs: the answer comes from a call that started later.
    const running = get();
    await new Promise((r) => { setTimeout(r, 15); });
    const late = get();
    assert.ok((await late) > (await running), 'a question asked mid-call gets the next call');
  });
});

describe('peer probe', () => {
  const listen = (server: http.Server) => new Promise<string>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
  const probe = createPeerProbe({ timeoutMs: 1000, minGapMs: 0 });

  it('finds a live Socket.IO server alive, at its own URL and behind a path prefix, without opening a session', async () => {
    const plainHttp = http.createServer();
    const plain = new Server(plainHttp);
    const prefixedHttp = http.createServer();
    const prefixed = new Server(prefixedHttp, { path: '/s/chat-9/socket.io' });
    const [plainUrl, prefixedUrl] = await Promise.all([listen(plainHttp), listen(prefixedHttp)]);
    try {
      assert.equal(await probe(plainUrl), true);
      assert.equal(await probe(`${prefixedUrl}/s/chat-9`), true);
      assert.equal(plain.engine.clientsCount + prefixed.engine.clientsCount, 0, 'no session opened');
    } finally {
      await Promise.all([plain.close(), prefixed.close()]);
    }
  });

  it('finds a closed port and a proxy answering 502 gone', async () => {
    const proxy = http.createServer((_req, res) => { res.writeHead(502).end('bad gateway'); });
    const proxyUrl = await listen(proxy);
    const closed = http.createServer();
    const closedUrl = await listen(closed);
    await new Promise((r) => { closed.close(r); });
    try {
      assert.equal(await probe(`${proxyUrl}/s/chat-9`), false);
      assert.equal(await probe(closedUrl), false);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => { proxy.close(r); });
    }
  });
});
