/**
 * The group timeline in the data service (docs/design.md, One change stream
 * per group): edits, tombstones, replies, reactions, mentions, and every
 * change of a group read back after a revision, each message once, in order.
 */
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import type {
  ChangeResult, ChangesPage, Group, GroupForUser, StoredMessage,
} from '@chat/shared';
import {
  assertMatchesSpec, createGroup, createUser, postMessage, startHarness,
} from './helpers';
import type { Harness } from './helpers';

describe('data service: the group timeline', function () {
  let h: Harness;
  let group: Group;
  let outsider: Group;
  before(async () => {
    h = await startHarness('timeline');
    await createUser(h.api, '3001', 'alice');
    await createUser(h.api, '3002', 'bob');
    await createUser(h.api, '3003', 'carol');
    for (let i = 0; i < 20; i += 1) await createUser(h.api, String(3100 + i));
    group = await createGroup(h.api, 'timeline', ['3001', '3002', ...Array.from({ length: 20 }, (_, i) => String(3100 + i))]);
    outsider = await createGroup(h.api, 'elsewhere', ['3003']);
  });
  after(async () => { await h?.close(); });

  const edit = (id: string, by: string, message: string, clientId?: string) => h.api.post(`/message/${id}/edit`, {
    group: group.id, by, message, ...(clientId ? { clientId } : {}),
  });
  const remove = (id: string, by: string) => h.api.post(`/message/${id}/delete`, { group: group.id, by });
  const react = (id: string, by: string, emoji: string, add = true) => h.api.post(`/message/${id}/reactions`, {
    group: group.id, by, emoji, add,
  });
  const changes = async (after: number, limit = 100): Promise<ChangesPage<StoredMessage>> => {
    const res = await h.api.get(`/group/${group.id}/changes?after=${after}&limit=${limit}`);
    assertMatchesSpec('get', '/group/{id}/changes', res);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as ChangesPage<StoredMessage>;
  };

  it('gives every new message the next rev, and an edit by the author the next one after', async () => {
    const first = await postMessage(h.api, group.id, '3001', 'hello');
    const second = await postMessage(h.api, group.id, '3002', 'hi');
    assert.ok(first.rev !== undefined && second.rev === first.rev + 1);
    const res = await edit(first.id, '3001', 'hello, edited', 'e1');
    assertMatchesSpec('post', '/message/{id}/edit', res);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { message } = res.body as ChangeResult;
    assert.equal(message.message, 'hello, edited');
    assert.equal(message.seq, first.seq);
    assert.equal(message.rev, second.rev + 1);
    assert.ok(message.editedAt);
    const stored = (await h.api.get(`/message/${first.id}`)).body as StoredMessage;
    assert.equal(stored.message, 'hello, edited', 'history holds the latest text');

    const retry = (await edit(first.id, '3001', 'hello, edited', 'e1')).body as ChangeResult;
    assert.equal(retry.message.rev, message.rev, 'a retried edit applies once');
    await edit(first.id, '3001', 'third text', 'e2');
    const late = (await edit(first.id, '3001', 'hello, edited', 'e1')).body as ChangeResult;
    assert.equal(late.message.message, 'third text', 'a retry after a later edit does not undo it');
  });

  it('refuses an edit by anyone but the author (403), and of a message of another group (404)', async () => {
    const msg = await postMessage(h.api, group.id, '3001', 'mine');
    const res = await edit(msg.id, '3002', 'not yours');
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'FORBIDDEN');
    const foreign = await postMessage(h.api, outsider.id, '3003', 'far away');
    assert.equal((await edit(foreign.id, '3001', 'x')).status, 404);
  });

  it('deletes into a tombstone that keeps its seq; replies show the original as deleted', async () => {
    const original = await postMessage(h.api, group.id, '3002', 'soon gone @alice');
    assert.deepEqual(original.mentions, ['3001']);
    const reply = await h.api.post('/message', {
      group: group.id, from: '3001', message: 'answering', replyTo: original.id,
    });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    assert.deepEqual((reply.body as StoredMessage).replyTo, {
      id: original.id, seq: original.seq, up: '3002', excerpt: 'soon gone @alice',
    });
    await react(original.id, '3001', '👍');
    // 3001 owns the group (the first member of a group created without a creator): a plain member asks.
    assert.equal((await remove(original.id, '3100')).status, 403, 'a member who is neither the author nor an admin');

    const res = await remove(original.id, '3002');
    assertMatchesSpec('post', '/message/{id}/delete', res);
    const { message, changes: touched } = res.body as ChangeResult;
    assert.equal(message.deleted, true);
    assert.equal(message.message, '');
    assert.equal(message.seq, original.seq);
    assert.equal(message.reactions, undefined);
    assert.deepEqual(touched.map((m) => m.id), [original.id, reply.body.id]);
    assert.deepEqual(touched[1]?.replyTo, {
      id: original.id, seq: original.seq, up: '3002', deleted: true,
    });
    const raw = await h.db.collection('messages').findOne({ _id: new Types.ObjectId(original.id) });
    assert.equal(raw?.message, '');
    assert.equal(raw?.mentions, undefined);
    const quoted = await h.db.collection('messages').findOne({ _id: new Types.ObjectId(reply.body.id as string) });
    assert.equal(JSON.stringify(quoted).includes('soon gone'), false, 'no quote of the text is left');
    assert.equal((await remove(original.id, '3002')).body.message.rev, message.rev, 'a second delete changes nothing');
  });

  it('lets a group owner or admin delete any message', async () => {
    const msg = await postMessage(h.api, group.id, '3002', 'moderated');
    await h.db.collection('memberships').updateOne({ _id: `${group.id}:3001` as never }, { $set: { role: 'admin' } });
    const res = await remove(msg.id, '3001');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.message.deleted, true);
    await h.db.collection('memberships').updateOne({ _id: `${group.id}:3001` as never }, { $unset: { role: '' } });
  });

  it('refuses a reply to a message of another group', async () => {
    const foreign = await postMessage(h.api, outsider.id, '3003', 'not here');
    const res = await h.api.post('/message', {
      group: group.id, from: '3001', message: 'x', replyTo: foreign.id,
    });
    assert.equal(res.status, 404);
  });

  it('counts 20 members reacting at once, idempotently, and refuses a non-member', async () => {
    const msg = await postMessage(h.api, group.id, '3001', 'react to me');
    const reactors = Array.from({ length: 20 }, (_, i) => String(3100 + i));
    const results = await Promise.all(reactors.map((up) => react(msg.id, up, '🎉')));
    results.forEach((res) => assert.equal(res.status, 200, JSON.stringify(res.body)));
    await react(msg.id, '3100', '🎉');
    await react(msg.id, '3101', '🎉', false);
    await react(msg.id, '3101', '🎉', false);
    const stored = (await h.api.get(`/message/${msg.id}`)).body as StoredMessage;
    assert.equal(stored.reactions?.[0]?.count, 19);
    assert.equal(stored.reactions?.[0]?.ups.length, 10);
    assert.equal((await h.db.collection('reactions').countDocuments({ message: new Types.ObjectId(msg.id) })), 19);
    const outsiderRes = await react(msg.id, '3003', '🎉');
    assert.equal(outsiderRes.status, 403);
  });

  it("tells one member's own reactions past the reactors a message lists", async () => {
    const crowded = await postMessage(h.api, group.id, '3001', 'crowded');
    const quiet = await postMessage(h.api, group.id, '3001', 'quiet');
    for (let i = 0; i < 12; i += 1) await react(crowded.id, String(3100 + i), '👍');
    await react(crowded.id, '3111', '🎉');
    await react(quiet.id, '3100', '👍');
    const listed = ((await h.api.get(`/message/${crowded.id}`)).body as StoredMessage).reactions?.[0];
    assert.equal(listed?.ups.includes('3111'), false, 'the 12th reactor is not listed');

    const mine = (up: string, ids: string[]) => h.api.get(`/group/${group.id}/reactions/${up}?messages=${ids.join(',')}`);
    const res = await mine('3111', [crowded.id, quiet.id]);
    assertMatchesSpec('get', '/group/{id}/reactions/{up}', res);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { items: [{ id: crowded.id, emoji: ['👍', '🎉'] }] });
    assert.deepEqual((await mine('3100', [quiet.id, crowded.id])).body.items.map((i: { id: string }) => i.id).sort(), [crowded.id, quiet.id].sort());
    const foreign = await postMessage(h.api, outsider.id, '3003', 'elsewhere');
    await h.api.post(`/message/${foreign.id}/reactions`, {
      group: outsider.id, by: '3003', emoji: '👍', add: true,
    });
    assert.deepEqual((await mine('3003', [foreign.id])).body, { items: [] }, 'a message of another group is left out');
    const bad = await mine('3111', ['not-an-id']);
    assertMatchesSpec('get', '/group/{id}/reactions/{up}', bad);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
  });

  it('counts unread mentions per member until they read past them', async () => {
    const listFor = async (up: string) => ((await h.api.get(`/group/user/${up}`)).body.items as GroupForUser[])
      .find((g) => g.id === group.id);
    const before = (await listFor('3002'))?.unreadMentions ?? 0;
    const m1 = await postMessage(h.api, group.id, '3001', 'ping @3002 and @carol (not a member)');
    assert.deepEqual(m1.mentions, ['3002']);
    await postMessage(h.api, group.id, '3001', 'again @bob');
    assert.equal((await listFor('3002'))?.unreadMentions, before + 2);
    await edit(m1.id, '3001', 'never mind');
    assert.equal((await listFor('3002'))?.unreadMentions, before + 1, 'an edit that drops the name drops the mention');
    const last = await postMessage(h.api, group.id, '3001', 'end');
    await h.api.put(`/group/${group.id}/read/3002`, { seq: last.seq });
    assert.equal((await listFor('3002'))?.unreadMentions, 0);
  });

  it('answers every message changed after a revision, each once, in rev order, in its latest state', async () => {
    const start = (await changes(0, 200)).rev;
    const a = await postMessage(h.api, group.id, '3001', 'a');
    const b = await postMessage(h.api, group.id, '3002', 'b');
    await edit(a.id, '3001', 'a2');
    await react(b.id, '3001', '❤️');
    await edit(a.id, '3001', 'a3');
    const c = await postMessage(h.api, group.id, '3001', 'c');
    await remove(c.id, '3001');
    const page = await changes(start);
    assert.deepEqual(page.items.map((m) => [m.id, m.message]), [[b.id, 'b'], [a.id, 'a3'], [c.id, '']]);
    const revs = page.items.map((m) => m.rev ?? 0);
    assert.deepEqual(revs, [...revs].sort((x, y) => x - y));
    assert.equal(page.rev, revs[revs.length - 1]);
    assert.equal(page.hasMore, false);
    const capped = await changes(start, 2);
    assert.equal(capped.hasMore, true);
    assert.deepEqual((await changes(capped.rev)).items.map((m) => m.id), [c.id]);
    assert.deepEqual((await changes(page.rev)).items, []);
  });
});
