/**
 * Accounts and tokens: register/login/me over REST (checked against
 * swagger.yaml), and every kind of bad token refused on REST and sockets.
 */
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
// The shared spec checker lives in the root package's test support, which has no package name to import by.
// eslint-disable-next-line import/no-relative-packages
import { assertMatchesSpec as assertSpec } from '../../test/support/openapi';
import {
  Cluster, JWT_SECRET, PASSWORD, freshUp, refusal, request, startDataTier,
} from './support/cluster';
import type { DataTier } from './support/cluster';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('chat server: accounts and tokens', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;

  before(async () => { tier = await startDataTier('auth'); });
  after(async () => { await tier.close(); });
  beforeEach(async () => {
    cluster = new Cluster(tier);
    await cluster.addServer();
  });
  afterEach(async () => { await cluster.close(); });

  it('registers, logs in by up or username, and answers /auth/me, never showing a password or hash', async () => {
    const up = freshUp();
    const registered = await cluster.rest('POST', '/auth/register', {
      body: {
        up, username: `r${up}`, name: 'Rita', password: PASSWORD,
      },
    });
    assertSpec('post', '/auth/register', registered);
    assert.equal(registered.status, 201);
    const text = JSON.stringify(registered.body);
    assert.ok(!text.includes(PASSWORD) && !text.includes('$argon2'), 'no password or hash in the answer');

    const byUp = await cluster.rest('POST', '/auth/login', { body: { up, password: PASSWORD } });
    assertSpec('post', '/auth/login', byUp);
    assert.equal(byUp.status, 200);
    const byName = await cluster.rest('POST', '/auth/login', { body: { username: `r${up}`, password: PASSWORD } });
    assert.equal(byName.status, 200);

    const { token } = byUp.body as { token: string };
    const me = await cluster.rest('GET', '/auth/me', { user: { token } as never });
    assertSpec('get', '/auth/me', me);
    assert.equal((me.body as { user: { up: string } }).user.up, up);
  });

  it('refuses bad registrations and logins with the documented errors', async () => {
    const [taken] = await cluster.users(1);
    const duplicate = await cluster.rest('POST', '/auth/register', {
      body: {
        up: taken!.up, username: `x${taken!.up}`, name: 'Copy', password: PASSWORD,
      },
    });
    assertSpec('post', '/auth/register', duplicate);
    assert.equal(duplicate.status, 409);

    const short = await cluster.rest('POST', '/auth/register', {
      body: {
        up: freshUp(), username: 'shorty', name: 'S', password: 'short',
      },
    });
    assertSpec('post', '/auth/register', short);
    assert.equal(short.status, 400);

    const wrong = await cluster.rest('POST', '/auth/login', { body: { up: taken!.up, password: 'not the password' } });
    const unknown = await cluster.rest('POST', '/auth/login', { body: { up: freshUp(), password: PASSWORD } });
    assertSpec('post', '/auth/login', wrong);
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, unknown.body, 'a wrong password and an unknown user look the same');

    const both = await cluster.rest('POST', '/auth/login', { body: { up: taken!.up, username: taken!.username, password: PASSWORD } });
    assert.equal(both.status, 400);
  });

  it('refuses missing, garbage, expired, forged and alg:none tokens on REST and sockets', async () => {
    const [user] = await cluster.users(1);
    const now = Math.floor(Date.now() / 1000);
    const bad = {
      garbage: 'not-a-token',
      expired: jwt.sign({ sub: user!.up, username: user!.username, exp: now - 10 }, JWT_SECRET, { algorithm: 'HS256' }),
      forged: jwt.sign({ username: user!.username }, 'some-other-secret-0123456789', { subject: user!.up, expiresIn: 600 }),
      algNone: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: user!.up, username: user!.username, exp: now + 600 })}.`,
    };
    for (const [kind, token] of Object.entries(bad)) {
      const rest = await cluster.rest('GET', '/chat/groups', { user: { token } as never });
      assert.equal(rest.status, 401, `${kind} token on REST`);
      assertSpec('get', '/chat/groups', rest);
      const refused = await refusal(cluster.client(token));
      assert.deepEqual(refused.data, { code: 'UNAUTHORIZED' }, `${kind} token on a socket`);
    }
    const noToken = await refusal(cluster.client(undefined));
    assert.deepEqual(noToken.data, { code: 'UNAUTHORIZED' });
    assert.equal((await cluster.rest('GET', '/chat/groups')).status, 401);

    // The good token still works.
    const socket = await cluster.connect(user!);
    assert.ok(socket.connected);
  });

  it('lets a socket speak only as its own user', async () => {
    const [alice, bob] = await cluster.users(2);
    const socket = await cluster.connect(alice!);
    const mine = await request(socket, 'online', { up: alice!.up });
    assert.deepEqual(mine, { ok: true });
    const theirs = await request(socket, 'online', { up: bob!.up });
    assert.equal(!theirs.ok && theirs.error.code, 'FORBIDDEN');
  });

  it('rate-limits register and login per IP address with 429', async () => {
    await cluster.close();
    cluster = new Cluster(tier);
    await cluster.addServer({ AUTH_RATE_POINTS: '3', AUTH_RATE_WINDOW_S: '60', REDIS_URL: '' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await cluster.rest('POST', '/auth/login', { body: { up: '1', password: 'whatever-password' } });
      statuses.push(res.status);
      if (res.status === 429) assertSpec('post', '/auth/login', res);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
  });
});
