/**
 * Behind a reverse proxy: X-Forwarded-For is believed only from peers that
 * TRUST_PROXY names, so the per-IP socket cap and the sign-in limit count real
 * clients; a burst of parallel handshakes cannot overrun the cap; a URL that is
 * not valid percent-encoding is a 400, not a 500.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { io as connectClient } from 'socket.io-client';
import { readConfig } from '../src/config';
import { clientAddress, compileTrust, parseTrustProxy } from '../src/http/client-address';
import {
  Cluster, PASSWORD, connected, startDataTier,
} from './support/cluster';
import type { ChatClient, DataTier, TestUser } from './support/cluster';

const request = (remoteAddress: string, forwarded?: string) => ({
  headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
  connection: { remoteAddress },
  socket: { remoteAddress },
}) as unknown as IncomingMessage;

/** A private address of its own per run: the sign-in limit lives in the shared Redis. */
const someAddress = () => `10.${crypto.randomInt(256)}.${crypto.randomInt(256)}.${crypto.randomInt(1, 255)}`;

describe('chat server: client addresses behind a proxy', function () {
  this.timeout(30000);

  describe('TRUST_PROXY', function () {
    it('reads false, true, hop counts and address lists, and refuses nonsense', function () {
      assert.equal(parseTrustProxy(''), false);
      assert.equal(parseTrustProxy('false'), false);
      assert.equal(parseTrustProxy('true'), true);
      assert.equal(parseTrustProxy('2'), 2);
      assert.deepEqual(parseTrustProxy('loopback, uniquelocal ,10.0.0.0/8'), ['loopback', 'uniquelocal', '10.0.0.0/8']);
      assert.throws(() => parseTrustProxy('not-an-address'), /TRUST_PROXY/);
      assert.throws(() => readConfig({ TRUST_PROXY: '300.1.1.1' }), /TRUST_PROXY/);
      assert.equal(readConfig({}).trustProxy, false, 'nobody is trusted by default');
    });

    it('takes X-Forwarded-For from a trusted peer only', function () {
      const loopback = compileTrust(['loopback']);
      assert.equal(clientAddress(request('127.0.0.1', '198.51.100.7'), loopback), '198.51.100.7');
      assert.equal(clientAddress(request('203.0.113.5', '198.51.100.7'), loopback), '203.0.113.5', 'an outsider cannot pick its address');
      assert.equal(clientAddress(request('127.0.0.1', '198.51.100.7'), compileTrust(false)), '127.0.0.1');
      // A client that forges a header in front of the proxy's gets the proxy's view of it, not its forgery.
      assert.equal(clientAddress(request('127.0.0.1', '6.6.6.6, 198.51.100.7'), loopback), '198.51.100.7');
    });
  });

  describe('on a running server', function () {
    let tier: DataTier;
    let cluster: Cluster;
    let user: TestUser;

    before(async () => { tier = await startDataTier('client address'); });
    after(async () => { await tier.close(); });
    beforeEach(() => { cluster = new Cluster(tier); });
    afterEach(async () => { await cluster.close(); });

    const socketFrom = (address: string | undefined): ChatClient => connectClient(cluster.server().url, {
      auth: { token: user.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: address ? { 'x-forwarded-for': address } : {},
    });
    const outcome = (client: ChatClient) => connected(client).then(() => 'connected', (err: Error & { data?: { code?: string } }) => err.data?.code ?? err.message);

    it('caps sockets per client address behind a trusted proxy, and per peer otherwise', async () => {
      await cluster.addServer({ TRUST_PROXY: 'loopback', MAX_CONNECTIONS_PER_IP: '2' });
      user = await cluster.register();
      const [a, b] = [someAddress(), someAddress()];
      const fromA = [socketFrom(a), socketFrom(a)];
      assert.deepEqual(await Promise.all(fromA.map(outcome)), ['connected', 'connected']);
      const third = socketFrom(a);
      assert.equal(await outcome(third), 'RATE_LIMITED');
      const fromB = socketFrom(b);
      assert.equal(await outcome(fromB), 'connected', 'another client behind the same proxy is not blocked');
      [...fromA, third, fromB].forEach((s) => s.disconnect());
    });

    it('ignores X-Forwarded-For from an untrusted peer (the default)', async () => {
      await cluster.addServer({ MAX_CONNECTIONS_PER_IP: '2' });
      user = await cluster.register();
      const sockets = [socketFrom(someAddress()), socketFrom(someAddress()), socketFrom(someAddress())];
      const outcomes = await Promise.all(sockets.map(outcome));
      assert.deepEqual(outcomes.sort(), ['RATE_LIMITED', 'connected', 'connected']);
      sockets.forEach((s) => s.disconnect());
    });

    it('lets exactly the cap through a burst of parallel handshakes, and frees slots on disconnect', async () => {
      await cluster.addServer({ MAX_CONNECTIONS_PER_IP: '3' });
      user = await cluster.register();
      const burst = Array.from({ length: 10 }, () => socketFrom(undefined));
      const outcomes = await Promise.all(burst.map(outcome));
      assert.equal(outcomes.filter((o) => o === 'connected').length, 3, outcomes.join(', '));
      burst.forEach((s) => s.disconnect());
      await new Promise((r) => { setTimeout(r, 300); });
      const again = socketFrom(undefined);
      assert.equal(await outcome(again), 'connected', 'the slots came back');
      again.disconnect();
    });

    it('limits sign-in attempts per client address behind a trusted proxy', async () => {
      await cluster.addServer({ TRUST_PROXY: 'loopback', AUTH_RATE_POINTS: '3' });
      const up = `${crypto.randomInt(1e8, 1e9)}`;
      const post = (route: string, address: string, body: object) => fetch(`${cluster.server().url}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify(body),
      }).then((res) => res.status);
      const a = someAddress();
      const statuses = [await post('/auth/register', a, {
        up, username: `u${up}`, name: 'Proxied', password: PASSWORD,
      })];
      for (let i = 0; i < 3; i += 1) statuses.push(await post('/auth/login', a, { up, password: PASSWORD }));
      assert.deepEqual(statuses, [201, 200, 200, 429]);
      const login = (address: string) => post('/auth/login', address, { up, password: PASSWORD });
      assert.equal(await login(someAddress()), 200, 'another client behind the proxy can still sign in');
    });

    it('answers 400 VALIDATION_FAILED to a path that is not valid percent-encoding', async () => {
      await cluster.addServer();
      user = await cluster.register();
      const res = await cluster.rest('GET', '/chat/groups/%ff%fe/members', { user });
      assert.equal(res.status, 400);
      assert.equal((res.body as { error: { code: string } }).error.code, 'VALIDATION_FAILED');
    });
  });
});
