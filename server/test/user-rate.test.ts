/**
 * Limits per user, not per socket (docs/design.md, Limits), counted in Redis
 * by every chat server together: chat messages across all of a user's
 * sockets, authenticated REST calls, and failed sign-ins per account.
 */
import assert from 'node:assert/strict';
import {
  Cluster, PASSWORD, clientId, next, request, startDataTier,
} from './support/cluster';
import type { DataTier } from './support/cluster';

describe('chat server: limits per user', function () {
  this.timeout(60000);
  let tier: DataTier;
  let cluster: Cluster;

  before(async () => { tier = await startDataTier('user-rate'); });
  after(async () => { await tier.close(); });
  afterEach(async () => { await cluster.close(); });

  it('holds a user flooding from 10 sockets on two servers to one user\'s message rate', async () => {
    cluster = new Cluster(tier);
    const env = { SOCKET_MESSAGE_POINTS: '20', SOCKET_MESSAGE_WINDOW_S: '600' };
    await cluster.addServer(env);
    await cluster.addServer(env);
    const [flooder, other] = await cluster.users(2);
    const group = await cluster.group(flooder!, [other!]);
    const sockets = await Promise.all(Array.from({ length: 10 }, (_, i) => cluster.connect(flooder!, i % 2)));
    const acks = await Promise.all(sockets.flatMap((socket) => Array.from({ length: 4 }, (_, i) => request(socket, 'chat message', {
      up: flooder!.up, room: group, message: `flood ${i}`, clientId: clientId(),
    }))));
    const stored = acks.filter((ack) => ack.ok).length;
    const limited = acks.filter((ack) => !ack.ok && ack.error.code === 'RATE_LIMITED').length;
    assert.deepEqual({ stored, limited }, { stored: 20, limited: 20 });
    assert.equal((await cluster.history(other!, group)).length, 20);

    // Another user is not held by the flooder's count.
    const theirs = await cluster.connect(other!, 1);
    const ack = await request(theirs, 'chat message', {
      up: other!.up, room: group, message: 'hello', clientId: clientId(),
    });
    assert.equal(ack.ok, true);
  });

  it('rate-limits authenticated REST per user on every server together', async () => {
    cluster = new Cluster(tier);
    await cluster.addServer({ REST_RATE_POINTS: '6', REST_RATE_WINDOW_S: '600' });
    await cluster.addServer({ REST_RATE_POINTS: '6', REST_RATE_WINDOW_S: '600' });
    const [busy, calm] = await cluster.users(2);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      statuses.push((await cluster.rest('GET', '/chat/groups', { user: busy!, server: i % 2 })).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);
    const refused = await cluster.rest('GET', '/auth/me', { user: busy! });
    assert.equal((refused.body as { error: { code: string } }).error.code, 'RATE_LIMITED');
    assert.equal((await cluster.rest('GET', '/chat/groups', { user: calm! })).status, 200);
  });

  it('throttles failed sign-ins per account, whatever the address, and leaves other accounts alone', async () => {
    cluster = new Cluster(tier);
    await cluster.addServer({ SIGNIN_ACCOUNT_POINTS: '3', SIGNIN_ACCOUNT_WINDOW_S: '600' });
    await cluster.addServer({ SIGNIN_ACCOUNT_POINTS: '3', SIGNIN_ACCOUNT_WINDOW_S: '600' });
    const [target, bystander] = await cluster.users(2);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await cluster.rest('POST', '/auth/login', { body: { up: target!.up, password: 'guess' }, server: i % 2 })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    const right = await cluster.rest('POST', '/auth/login', { body: { up: target!.up, password: PASSWORD }, server: 1 });
    assert.equal(right.status, 429, 'even the right password waits while the account is throttled');
    const byName = await cluster.rest('POST', '/auth/login', { body: { username: bystander!.username, password: PASSWORD } });
    assert.equal(byName.status, 200);
  });

  it('marks the group read up to a message its sender sends, and tells the sender\'s other sockets', async () => {
    cluster = new Cluster(tier);
    await cluster.addServer();
    await cluster.addServer();
    const [sender, reader] = await cluster.users(2);
    const group = await cluster.group(sender!, [reader!]);
    const here = await cluster.connect(sender!, 0);
    const there = await cluster.connect(sender!, 1);
    const heard = next(there, 'read', (e) => e.room === group && e.up === sender!.up && e.seq === 2);
    for (const text of ['one', 'two']) {
      const ack = await request(here, 'chat message', {
        up: sender!.up, room: group, message: text, clientId: clientId(),
      });
      assert.equal(ack.ok, true);
    }
    await heard;
    const groups = async (user: typeof sender) => (
      (await cluster.rest('GET', '/chat/groups', { user })).body as { items: { id: string; unread: number; lastReadSeq: number }[] }
    ).items.find((g) => g.id === group);
    const mine = await groups(sender!);
    assert.deepEqual([mine?.unread, mine?.lastReadSeq], [0, 2], 'the sender has read their own messages');
    assert.equal((await groups(reader!))!.unread, 2, 'the other member still has both to read');
  });
});
