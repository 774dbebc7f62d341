/**
 * The public chat REST routes, each response checked against swagger.yaml:
 * groups, members, history by page and by cursor, the request bundle, the
 * location, and the operations routes.
 */
import assert from 'node:assert/strict';
import type {
  ChatMessagePayload, CursorPage, Group, OffsetPage, SendMessageResult,
} from '@chat/shared';
import { loadSwagger } from '@chat/shared';
import {
  Cluster, clientId, request, startDataTier,
} from './support/cluster';
import type { DataTier, TestUser } from './support/cluster';
// The shared spec checker lives in the root package's test support, which has no package name to import by.
// eslint-disable-next-line import/no-relative-packages
import { assertMatchesSpec as assertSpec } from '../../test/support/openapi';

describe('chat server: public REST', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;
  let alice: TestUser;
  let bob: TestUser;
  let outsider: TestUser;
  let group: string;

  before(async () => {
    tier = await startDataTier('rest');
    cluster = new Cluster(tier);
    await cluster.addServer({ SOCKET_MESSAGE_POINTS: '100' });
    [alice, bob, outsider] = await cluster.users(3) as [TestUser, TestUser, TestUser];
    group = await cluster.group(alice, [bob], 'history');
    const a = await cluster.connect(alice);
    for (let i = 1; i <= 25; i += 1) {
      const ack = await request<SendMessageResult>(a, 'chat message', {
        message: `m${i}`, up: alice.up, room: group, clientId: clientId(),
      });
      assert.ok(ack.ok);
    }
  });
  after(async () => {
    await cluster.close();
    await tier.close();
  });

  const call = (method: string, path: string, user?: TestUser, body?: unknown) => (
    cluster.rest(method, path, { user, body }));
  const seqs = (items: ChatMessagePayload[]) => items.map((m) => m.seq);

  it('lists the caller\'s groups with unread counts and the newest message', async () => {
    const res = await call('GET', '/chat/groups', bob);
    assertSpec('get', '/chat/groups', res);
    type Summary = Group & { unread: number; lastMessage: ChatMessagePayload | null };
    const { items } = res.body as { items: Summary[] };
    const mine = items.find((g) => g.id === group);
    assert.equal(mine?.lastMessage?.message, 'm25');
    assert.equal(mine?.unread, 25);
    assert.deepEqual((await call('GET', '/chat/groups', outsider)).body, { items: [] });
  });

  it('pages history the seed\'s way: page 0 is the newest, ascending inside a page', async () => {
    const first = await call('GET', `/chat/${group}/message?page=0&perPage=10`, bob);
    assertSpec('get', '/chat/{group}/message', first);
    const page0 = first.body as OffsetPage<ChatMessagePayload>;
    assert.deepEqual(seqs(page0.items), [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    assert.equal(page0.total, 25);
    const page2 = (await call('GET', `/chat/${group}/message?page=2&perPage=10`, bob)).body as OffsetPage<ChatMessagePayload>;
    assert.deepEqual(seqs(page2.items), [1, 2, 3, 4, 5]);
  });

  it('pages history by seq cursor in both directions', async () => {
    const before = await call('GET', `/chat/${group}/message?before=11&limit=5`, bob);
    assertSpec('get', '/chat/{group}/message', before);
    const older = before.body as CursorPage<ChatMessagePayload>;
    assert.deepEqual(seqs(older.items), [6, 7, 8, 9, 10]);
    assert.equal(older.hasMore, true);
    const after = (await call('GET', `/chat/${group}/message?after=22&limit=5`, bob)).body as CursorPage<ChatMessagePayload>;
    assert.deepEqual(seqs(after.items), [23, 24, 25]);
    assert.equal(after.hasMore, false);
    const newest = (await call('GET', `/chat/${group}/message?limit=2`, bob)).body as CursorPage<ChatMessagePayload>;
    assert.deepEqual(seqs(newest.items), [24, 25]);
  });

  it('answers 400 to out-of-range or mixed paging, 403 to non-members', async () => {
    for (const query of ['perPage=0', 'perPage=101', 'page=-1', 'page=x', 'limit=500', 'before=5&after=2', 'page=1&limit=5', 'unknown=1']) {
      const res = await call('GET', `/chat/${group}/message?${query}`, bob);
      assert.equal(res.status, 400, query);
      assertSpec('get', '/chat/{group}/message', res);
    }
    assert.equal((await call('GET', '/chat/not-an-id/message', bob)).status, 400);
    const forbidden = await call('GET', `/chat/${group}/message`, outsider);
    assertSpec('get', '/chat/{group}/message', forbidden);
    assert.equal(forbidden.status, 403);
  });

  it('bundles every group of the caller with its newest messages (GET /chat/message)', async () => {
    const res = await call('GET', '/chat/message?perPage=3', bob);
    assertSpec('get', '/chat/message', res);
    const { groups } = res.body as { groups: { group: Group; messages: ChatMessagePayload[] }[] };
    assert.equal(groups.length, 1);
    assert.deepEqual(seqs(groups[0]!.messages), [23, 24, 25]);
    assert.equal((await call('GET', '/chat/message?perPage=1000', bob)).status, 400);
  });

  it('creates, renames and lists members, with the documented shapes and errors', async () => {
    const created = await call('POST', '/chat/groups', alice, { name: 'new one', users: [bob.up] });
    assertSpec('post', '/chat/groups', created);
    assert.equal(created.status, 201);
    const newGroup = created.body as Group;
    assert.deepEqual(newGroup.users.sort(), [alice.up, bob.up].sort());
    assert.equal(newGroup.createdBy, alice.up);

    const unknownMember = await call('POST', '/chat/groups', alice, { name: 'ghosts', users: ['999999999999'] });
    assertSpec('post', '/chat/groups', unknownMember);
    assert.equal(unknownMember.status, 400);
    const noName = await call('POST', '/chat/groups', alice, { name: '', users: [] });
    assert.equal(noName.status, 400);

    // Renaming and adding members take an admin (group roles): bob, a member, is refused until promoted.
    const asMember = await call('PATCH', `/chat/groups/${newGroup.id}`, bob, { name: 'renamed' });
    assertSpec('patch', '/chat/groups/{group}', asMember);
    assert.equal(asMember.status, 403);
    const promoted = await call('PUT', `/chat/${newGroup.id}/members/${bob.up}/role`, alice, { role: 'admin' });
    assertSpec('put', '/chat/{group}/members/{up}/role', promoted);
    assert.deepEqual((promoted.body as Group).admins, [bob.up]);
    const renamed = await call('PATCH', `/chat/groups/${newGroup.id}`, bob, { name: 'renamed' });
    assertSpec('patch', '/chat/groups/{group}', renamed);
    assert.equal((renamed.body as Group).name, 'renamed');
    const notMine = await call('PATCH', `/chat/groups/${newGroup.id}`, outsider, { name: 'mine now' });
    assertSpec('patch', '/chat/groups/{group}', notMine);
    assert.equal(notMine.status, 403);

    const members = await call('GET', `/chat/groups/${newGroup.id}/members`, bob);
    assertSpec('get', '/chat/groups/{group}/members', members);
    const memberUps = (members.body as { items: { up: string }[] }).items.map((u) => u.up);
    assert.deepEqual(memberUps.sort(), [alice.up, bob.up].sort());

    const added = await call('POST', `/chat/groups/${newGroup.id}/members`, bob, { users: [outsider.up] });
    assertSpec('post', '/chat/groups/{group}/members', added);
    assert.ok((added.body as Group).users.includes(outsider.up));
    const leave = await call('DELETE', `/chat/groups/${newGroup.id}/members/${outsider.up}`, outsider);
    assertSpec('delete', '/chat/groups/{group}/members/{up}', leave);
    assert.equal(leave.status, 200);

    const gone = await call('DELETE', `/chat/groups/${newGroup.id}`, alice);
    assertSpec('delete', '/chat/groups/{group}', gone);
    assert.equal(gone.status, 204);
    const again = await call('DELETE', `/chat/groups/${newGroup.id}`, alice);
    assertSpec('delete', '/chat/groups/{group}', again);
    assert.equal(again.status, 404);
  });

  it('answers GET /chat/location with itself when there is no dispatcher', async () => {
    const res = await call('GET', '/chat/location', bob);
    assert.equal(res.status, 200);
    const server = cluster.server(0);
    assert.deepEqual(res.body, { url: server.publicUrl, serverId: server.serverId, mapVersion: 0 });
    const documented = (loadSwagger() as { paths: Record<string, unknown> }).paths['/chat/location'];
    if (documented) assertSpec('get', '/chat/location', res);
    assert.equal((await call('GET', '/chat/location')).status, 401);
  });

  it('serves /health, /ready, /metrics and /docs, and 404s unknown routes in the error shape', async () => {
    const health = await call('GET', '/health');
    assert.deepEqual(health.body, { status: 'ok', service: 'chat-server' });
    const ready = await call('GET', '/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, {
      status: 'ready', checks: { dataService: 'ok', redis: 'ok', dispatcher: 'disabled' },
    });
    const metrics = await (await fetch(`${cluster.server(0).url}/metrics`)).text();
    assert.match(metrics, /chat_messages_received_total\{[^}]*\} 25/);
    assert.match(metrics, /chat_message_ack_seconds_count/);
    assert.match(metrics, /chat_socket_connections/);
    const docs = await fetch(`${cluster.server(0).url}/docs/swagger.json`);
    assert.equal(docs.status, 200);
    const missing = await call('GET', '/nowhere');
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { error: { code: string } }).error.code, 'NOT_FOUND');
  });
});
