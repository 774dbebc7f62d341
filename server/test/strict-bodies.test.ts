/**
 * Request bodies as the documents say: unknown fields refused with 400 on the
 * chat server, the data service and the dispatcher; text lengths counted in
 * code points with the same answer on the chat server and the data service.
 */
import assert from 'node:assert/strict';
import { LIMITS } from '@chat/shared';
import {
  Cluster, INTERNAL_TOKEN, startDataTier, startTestDispatcher,
} from './support/cluster';
import type { DataTier, TestDispatcher, TestUser } from './support/cluster';

interface Reply { status: number; body: { error?: { code: string; message: string }; name?: string } }

async function internalCall(url: string, method: string, body: unknown): Promise<Reply> {
  const res = await fetch(url, {
    method,
    headers: { 'x-internal-token': INTERNAL_TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as Reply['body'] };
}

const emoji = (count: number) => '😀'.repeat(count);

describe('request bodies: unknown fields and text lengths', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;
  let dispatcher: TestDispatcher;
  let alice: TestUser;
  let group: string;

  before(async () => {
    tier = await startDataTier('strict-bodies');
    cluster = new Cluster(tier);
    await cluster.addServer();
    dispatcher = await startTestDispatcher('strict-bodies');
    [alice] = await cluster.users(1) as [TestUser];
    group = await cluster.group(alice, [], 'strict');
  });
  after(async () => {
    await cluster.close();
    await dispatcher.close();
    await tier.close();
  });

  const chat = (method: string, path: string, body: unknown) => (
    cluster.rest(method, path, { user: alice, body }) as Promise<Reply>);

  const assertRefused = (reply: Reply, field: string) => {
    assert.equal(reply.status, 400, JSON.stringify(reply.body));
    assert.equal(reply.body.error?.code, 'VALIDATION_FAILED');
    assert.match(reply.body.error?.message ?? '', new RegExp(field.replace('$', '\\$')));
  };

  it('refuses POST /chat/groups with an extra $where field', async () => {
    assertRefused(await chat('POST', '/chat/groups', { name: 'x', users: [], $where: 'sleep(1000)' }), '$where');
  });

  it('refuses PATCH /chat/groups/{group} with users or createdBy, and keeps the group as it was', async () => {
    assertRefused(await chat('PATCH', `/chat/groups/${group}`, { name: 'renamed', users: ['1'] }), 'users');
    assertRefused(await chat('PATCH', `/chat/groups/${group}`, { name: 'renamed', createdBy: '1' }), 'createdBy');
    const { body } = await chat('GET', '/chat/groups', undefined) as unknown as { body: { items: { id: string; name: string }[] } };
    assert.equal(body.items.find((g) => g.id === group)?.name, 'strict');
  });

  it('refuses unknown fields on the data service and the dispatcher', async () => {
    assertRefused(await internalCall(`${tier.url}/group`, 'POST', { name: 'x', users: [alice.up], $where: '1' }), '$where');
    assertRefused(await internalCall(`${tier.url}/group/${group}`, 'PATCH', { name: 'x', createdBy: alice.up }), 'createdBy');
    assertRefused(await internalCall(`${dispatcher.url}/dispatcher/servers`, 'POST', {
      id: 'extra', url: 'http://127.0.0.1:1', capacity: 1, load: 0, admin: true,
    }), 'admin');
  });

  it('counts a group name in code points on both layers: 60 emoji fit, 101 do not, with one message', async () => {
    assert.ok(emoji(60).length > LIMITS.groupName, 'the test needs a name over the limit in UTF-16 units');
    const viaChat = await chat('POST', '/chat/groups', { name: emoji(60), users: [] });
    assert.equal(viaChat.status, 201, JSON.stringify(viaChat.body));
    assert.equal(viaChat.body.name, emoji(60));
    const viaData = await internalCall(`${tier.url}/group`, 'POST', { name: emoji(LIMITS.groupName), users: [alice.up] });
    assert.equal(viaData.status, 201, JSON.stringify(viaData.body));

    const tooLongChat = await chat('POST', '/chat/groups', { name: emoji(101), users: [] });
    const tooLongData = await internalCall(`${tier.url}/group`, 'POST', { name: emoji(101), users: [alice.up] });
    assertRefused(tooLongChat, 'name');
    assert.deepEqual(tooLongData, tooLongChat);
    assert.match(tooLongChat.body.error?.message ?? '', /1 to 100 characters.*code points/);
    assertRefused(await chat('PATCH', `/chat/groups/${group}`, { name: emoji(101) }), 'name');
  });
});
