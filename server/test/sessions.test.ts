/**
 * Sessions (docs/design.md, Sessions), on two chat servers sharing Redis:
 * refresh-token rotation and reuse, sign out, sign out everywhere, password
 * change, profile edit, token expiry on a live socket, and the audit lines.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// eslint-disable-next-line import/no-relative-packages
import { assertMatchesSpec as assertSpec } from '../../test/support/openapi';
import {
  Cluster, INTERNAL_TOKEN, PASSWORD, connected, eventually, next, refusal, request, startDataTier,
} from './support/cluster';
import type { ChatClient, DataTier, TestUser } from './support/cluster';

interface Grant { token: string; refreshToken: string; expiresIn: number; user: { up: string; username: string } }

const ended = (client: ChatClient) => Promise.all([
  next(client, 'session ended'),
  new Promise<string>((resolve) => { client.once('disconnect', (reason) => resolve(reason)); }),
]);

describe('chat server: sessions', function () {
  this.timeout(60000);
  let tier: DataTier;
  let cluster: Cluster;
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-sessions-'));

  before(async () => { tier = await startDataTier('sessions'); });
  after(async () => {
    await tier.close();
    fs.rmSync(logDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    cluster = new Cluster(tier);
    await cluster.addServer({ LOG_DIR: path.join(logDir, 'a'), LOG_LEVEL: 'info' });
    await cluster.addServer({ LOG_DIR: path.join(logDir, 'b'), LOG_LEVEL: 'info' });
  });
  afterEach(async () => { await cluster.close(); });

  /** A second sign-in of `user`: another session. */
  const signIn = async (user: TestUser, password = PASSWORD, server = 0): Promise<Grant> => {
    const res = await cluster.rest('POST', '/auth/login', { body: { up: user.up, password }, server });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Grant;
  };
  const as = (grant: { token: string }) => ({ token: grant.token }) as TestUser;
  const me = (grant: { token: string }, server = 0) => cluster.rest('GET', '/auth/me', { user: as(grant), server });

  it('renews with a rotated refresh token; presenting an old one signs the session out', async () => {
    const [user] = await cluster.users(1);
    const first = await signIn(user!);
    assert.ok(first.expiresIn > 0 && first.refreshToken.length > 20);

    const renewed = await cluster.rest('POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } });
    assertSpec('post', '/auth/refresh', renewed);
    assert.equal(renewed.status, 200);
    const second = renewed.body as Grant;
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal((await me(second, 1)).status, 200, 'the new access token works on the other server');

    const reused = await cluster.rest('POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } });
    assert.equal(reused.status, 401);
    assert.match((reused.body as { error: { message: string } }).error.message, /already used/);
    const after = await cluster.rest('POST', '/auth/refresh', { body: { refreshToken: second.refreshToken } });
    assert.equal(after.status, 401, 'the whole session is signed out, the newest refresh token too');

    const garbage = await cluster.rest('POST', '/auth/refresh', { body: { refreshToken: 'nonsense' } });
    assert.equal(garbage.status, 401);
    assertSpec('post', '/auth/refresh', garbage);
  });

  it('signs one session out: its sockets on both servers end with SIGNED_OUT, its tokens stop, other sessions stay', async () => {
    const [user] = await cluster.users(1);
    const mine = await signIn(user!);
    const other = await signIn(user!);
    const here = await cluster.connect({ ...user!, token: mine.token }, 0);
    const there = await cluster.connect({ ...user!, token: mine.token }, 1);
    const otherSocket = await cluster.connect({ ...user!, token: other.token }, 1);
    const otherEnded = next(otherSocket, 'session ended', () => true, 60000);

    const endings = Promise.all([ended(here), ended(there)]);
    const out = await cluster.rest('POST', '/auth/logout', { user: as(mine) });
    assertSpec('post', '/auth/logout', out);
    assert.equal(out.status, 204);
    const [[hereEvent], [thereEvent, thereReason]] = await endings;
    assert.equal(hereEvent.reason, 'SIGNED_OUT');
    assert.equal(thereEvent.reason, 'SIGNED_OUT');
    assert.equal(thereReason, 'io server disconnect');

    assert.equal((await me(mine, 0)).status, 401);
    assert.equal((await me(mine, 1)).status, 401, 'refused on the other server at once');
    const again = cluster.client(mine.token, 1);
    assert.equal(((await refusal(again)).data as { code: string }).code, 'UNAUTHORIZED');
    assert.equal((await cluster.rest('POST', '/auth/refresh', { body: { refreshToken: mine.refreshToken } })).status, 401);

    assert.equal((await me(other, 1)).status, 200, 'the other session is still signed in');
    assert.ok(otherSocket.connected);
    const ack = await request(otherSocket, 'online', { up: user!.up });
    assert.equal(ack.ok, true);
    otherEnded.catch(() => undefined);
  });

  it('signs out everywhere: every socket of the user on every server ends and every token stops', async () => {
    const [user, bystander] = await cluster.users(2);
    const a = await signIn(user!);
    const b = await signIn(user!, PASSWORD, 1);
    const sockets = [
      await cluster.connect({ ...user!, token: a.token }, 0),
      await cluster.connect({ ...user!, token: b.token }, 1),
      await cluster.connect(user!, 1),
    ];
    const theirs = await cluster.connect(bystander!, 0);
    const endings = Promise.all(sockets.map(ended));

    const out = await cluster.rest('POST', '/auth/logout-all', { user: as(b), server: 1 });
    assert.equal(out.status, 204);
    (await endings).forEach(([event]) => assert.equal(event.reason, 'SIGNED_OUT'));
    for (const grant of [a, b, user!]) {
      assert.equal((await me(grant, 0)).status, 401);
      assert.equal((await me(grant, 1)).status, 401);
    }
    assert.equal((await cluster.rest('POST', '/auth/refresh', { body: { refreshToken: a.refreshToken } })).status, 401);
    assert.ok(theirs.connected, "another user's socket stays");
    const fresh = await signIn(user!);
    assert.equal((await me(fresh, 1)).status, 200, 'signing in again works');
  });

  it('changes the password only with the old one, keeping this session and signing the others out', async () => {
    const [user] = await cluster.users(1);
    const mine = await signIn(user!);
    const other = await signIn(user!);
    const mySocket = await cluster.connect({ ...user!, token: mine.token }, 0);
    const otherSocket = await cluster.connect({ ...user!, token: other.token }, 1);

    const wrong = await cluster.rest('POST', '/auth/password', {
      user: as(mine), body: { oldPassword: 'not the password', newPassword: 'a brand new secret' },
    });
    assertSpec('post', '/auth/password', wrong);
    assert.equal(wrong.status, 403);
    const short = await cluster.rest('POST', '/auth/password', { user: as(mine), body: { oldPassword: PASSWORD, newPassword: 'x' } });
    assert.equal(short.status, 400);

    const otherEnd = ended(otherSocket);
    const changed = await cluster.rest('POST', '/auth/password', {
      user: as(mine), body: { oldPassword: PASSWORD, newPassword: 'a brand new secret' },
    });
    assertSpec('post', '/auth/password', changed);
    assert.equal(changed.status, 200);
    assert.ok(!JSON.stringify(changed.body).includes('a brand new secret'));
    const [otherEvent] = await otherEnd;
    assert.equal(otherEvent.reason, 'SIGNED_OUT');
    assert.equal((await me(other, 0)).status, 401);

    const fresh = changed.body as Grant;
    assert.equal((await me(fresh, 1)).status, 200, 'this session goes on with its fresh token');
    assert.ok(mySocket.connected, "this session's socket stays");
    assert.equal((await cluster.rest('POST', '/auth/refresh', { body: { refreshToken: mine.refreshToken } })).status, 200);
    assert.equal((await cluster.rest('POST', '/auth/login', { body: { up: user!.up, password: PASSWORD } })).status, 401);
    await signIn(user!, 'a brand new secret');
  });

  it('edits the profile: name and a unique username', async () => {
    const [user, other] = await cluster.users(2);
    const edited = await cluster.rest('PATCH', '/auth/me', { user: user!, body: { name: 'New Name', username: `n${user!.up}` } });
    assertSpec('patch', '/auth/me', edited);
    assert.equal(edited.status, 200);
    assert.equal((edited.body as Grant).user.username, `n${user!.up}`);
    const read = await me(user!, 1);
    assert.deepEqual(
      [(read.body as { user: { name: string } }).user.name, (read.body as Grant).user.username],
      ['New Name', `n${user!.up}`],
    );
    const taken = await cluster.rest('PATCH', '/auth/me', { user: user!, body: { username: other!.username } });
    assert.equal(taken.status, 409);
    assertSpec('patch', '/auth/me', taken);
    const empty = await cluster.rest('PATCH', '/auth/me', { user: user!, body: {} });
    assert.equal(empty.status, 400);
    const byNewName = await cluster.rest('POST', '/auth/login', { body: { username: `n${user!.up}`, password: PASSWORD } });
    assert.equal(byNewName.status, 200);
  });

  it('writes audit lines for a failed sign-in, a sign-out and a password change, with no secret in them', async () => {
    const [user] = await cluster.users(1);
    const wrongPassword = `wrong-${crypto.randomBytes(4).toString('hex')}`;
    assert.equal((await cluster.rest('POST', '/auth/login', { body: { up: user!.up, password: wrongPassword } })).status, 401);
    const grant = await signIn(user!);
    await cluster.rest('POST', '/auth/password', { user: as(grant), body: { oldPassword: PASSWORD, newPassword: 'another secret 1' } });
    await cluster.rest('POST', '/auth/logout-all', { user: as(grant) });

    const file = path.join(logDir, 'a', 'combined.log');
    const audits = () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '').split('\n')
      .filter((line) => line.includes('"channel":"audit"') && line.includes(user!.up));
    await eventually(() => audits().length >= 3, 'three audit lines');
    const lines = audits().map((line) => JSON.parse(line) as { event: string; outcome: string; target: string });
    assert.deepEqual(lines.map((l) => [l.event, l.outcome]), [
      ['auth.login', 'failure'], ['auth.password', 'success'], ['auth.logout-all', 'success'],
    ]);
    const text = audits().join('\n');
    for (const secret of [wrongPassword, PASSWORD, 'another secret 1', grant.token, grant.refreshToken]) {
      assert.ok(!text.includes(secret), 'no secret in an audit line');
    }
  });

  it('notices a sign-out it was never told of (a lost message) at its next re-check, asking for all its sockets at once', async () => {
    await cluster.addServer({ LOG_DIR: path.join(logDir, 'c'), SESSION_RECHECK_MS: '400' });
    const users = await cluster.users(3);
    const grants = await Promise.all(users.map((u) => signIn(u)));
    const sockets = await Promise.all(grants.map((g, i) => cluster.connect({ ...users[i]!, token: g.token }, 2)));
    const sidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
    const ending = ended(sockets[1]!);
    // Signed out in the data service only: no chat server announces it.
    const out = await fetch(`${tier.url}/session/${sidOf(grants[1]!.token)}`, {
      method: 'DELETE', headers: { 'x-internal-token': INTERNAL_TOKEN },
    });
    assert.equal(out.status, 204);
    const [event] = await ending;
    assert.equal(event.reason, 'SIGNED_OUT');
    assert.ok(sockets[0]!.connected && sockets[2]!.connected, 'the other sessions stay');
    const metrics = await (await fetch(`${tier.url}/metrics`, { headers: { 'x-internal-token': INTERNAL_TOKEN } })).text();
    assert.match(metrics, /http_request_duration_seconds_count\{[^}]*route="\/session\/states"/, 'asked in one call');
  });

  it('ends a live socket with TOKEN_EXPIRED when its access token expires; a renewed token reconnects', async () => {
    await cluster.close();
    cluster = new Cluster(tier);
    await cluster.addServer({ ACCESS_TOKEN_TTL: '2' });
    const [user] = await cluster.users(1);
    const socket = await cluster.connect(user!);
    const [event] = await ended(socket);
    assert.equal(event.reason, 'TOKEN_EXPIRED');
    const expiredRest = await me(user!);
    assert.equal(expiredRest.status, 401);

    const login = await cluster.rest('POST', '/auth/login', { body: { up: user!.up, password: PASSWORD } });
    const renewed = await cluster.rest('POST', '/auth/refresh', { body: { refreshToken: (login.body as Grant).refreshToken } });
    const again = cluster.client((renewed.body as Grant).token);
    await connected(again);
    assert.ok(again.connected);
  });
});
