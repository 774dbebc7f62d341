/**
 * The caller's notifications through a chat server: preferences per group
 * (members only), time zone and quiet hours, and the in-app list with its
 * unread count, fed by messages sent over sockets. Without NOTIFY_URL the
 * webhook is off and the list still works. Responses are checked against swagger.yaml.
 */
import assert from 'node:assert/strict';
import type { SendMessageResult } from '@chat/shared';
import {
  Cluster, clientId, eventually, request, startDataTier,
} from './support/cluster';
import type { DataTier, TestUser } from './support/cluster';
// eslint-disable-next-line import/no-relative-packages
import { assertMatchesSpec as assertSpec } from '../../test/support/openapi';

interface Listed { items: Array<{ excerpt: string; reason: string; read: boolean; groupName: string }>; unread: number }

describe('chat server: notification routes', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let outsider: TestUser;
  let group: string;

  before(async () => {
    tier = await startDataTier('notify-routes');
    cluster = new Cluster(tier);
    await cluster.addServer();
    [alice, bob, carol, outsider] = await cluster.users(4) as [TestUser, TestUser, TestUser, TestUser];
    group = await cluster.group(alice, [bob, carol], 'notified');
  });
  after(async () => {
    await cluster.close();
    await tier.close();
  });

  const call = (method: string, path: string, user?: TestUser, body?: unknown) => (
    cluster.rest(method, path, { user, body }));

  it('keeps the caller\'s preferences; a group they are not in is 403, no token is 401', async () => {
    const put = await call('PUT', '/chat/notifications/preferences', bob, {
      timeZone: 'America/New_York', quietHours: { start: '23:00', end: '06:00' }, groups: [{ group, level: 'mentions' }],
    });
    assertSpec('put', '/chat/notifications/preferences', put);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const got = await call('GET', '/chat/notifications/preferences', bob);
    assertSpec('get', '/chat/notifications/preferences', got);
    assert.deepEqual(got.body, {
      timeZone: 'America/New_York', quietHours: { start: '23:00', end: '06:00' }, defaultLevel: 'all', groups: [{ group, level: 'mentions' }],
    });
    const stranger = await call('PUT', '/chat/notifications/preferences', outsider, { groups: [{ group, level: 'muted' }] });
    assertSpec('put', '/chat/notifications/preferences', stranger);
    assert.equal(stranger.status, 403);
    assert.equal((stranger.body as { error: { code: string } }).error.code, 'FORBIDDEN');
    const bad = await call('PUT', '/chat/notifications/preferences', bob, { timeZone: 'Nowhere/Special', extra: 1 });
    assert.equal(bad.status, 400);
    assert.equal((await call('GET', '/chat/notifications')).status, 401);
    assert.equal((await call('GET', '/chat/notifications/preferences')).status, 401);
  });

  it('lists what an offline member missed (at their level) and mentions of an online one; marks them read', async () => {
    const carolSocket = await cluster.connect(carol);
    await eventually(async () => {
      const res = await fetch(`${tier.url}/user/${carol.up}`, { headers: { 'x-internal-token': 'test-internal-token' } });
      return ((await res.json()) as { online: boolean }).online;
    }, 'carol is stored online', 10000);
    const a = await cluster.connect(alice);
    const send = async (message: string) => {
      const ack = await request<SendMessageResult>(a, 'chat message', {
        message, up: alice.up, room: group, clientId: clientId(),
      });
      assert.ok(ack.ok, JSON.stringify(ack));
    };
    await send('lunch at noon?');
    await send(`@${bob.username} are you coming?`);
    await send(`@${carol.up} you too`);
    let bobs: Listed = { items: [], unread: 0 };
    let carols: Listed = { items: [], unread: 0 };
    await eventually(async () => {
      bobs = (await call('GET', '/chat/notifications', bob)).body as Listed;
      carols = (await call('GET', '/chat/notifications', carol)).body as Listed;
      return bobs.items.length >= 1 && carols.items.length >= 1;
    }, 'the notifications are listed', 10000);
    // Bob is offline at level `mentions`: only the mention. Carol is online: only the mention of her.
    assert.deepEqual(bobs.items.map((i) => [i.reason, i.excerpt, i.read]), [['mention', `@${bob.username} are you coming?`, false]]);
    assert.equal(bobs.unread, 1);
    assert.deepEqual(carols.items.map((i) => [i.reason, i.excerpt, i.groupName]), [['mention', `@${carol.up} you too`, 'notified']]);
    const listed = await call('GET', '/chat/notifications?limit=5', bob);
    assertSpec('get', '/chat/notifications', listed);
    const read = await call('POST', '/chat/notifications/read', bob, {});
    assertSpec('post', '/chat/notifications/read', read);
    assert.deepEqual(read.body, { unread: 0 });
    assert.deepEqual(((await call('GET', '/chat/notifications', bob)).body as Listed).items.map((i) => i.read), [true]);
    assert.equal((await call('GET', '/chat/notifications?limit=1000', bob)).status, 400);
    carolSocket.close();
  });
});
