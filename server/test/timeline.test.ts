/**
 * The group timeline end to end (docs/design.md, One change stream per group):
 * edits, deletes, replies, reactions and mentions reach every member live on
 * every chat server, and a member who was away resumes every group in one
 * `resume` with each change once, in rev order, in its final state — from the
 * recent buffer, or from the data service when the buffer no longer covers it.
 */
import assert from 'node:assert/strict';
import type {
  Ack, ChatMessagePayload, JoinRoomResult, SendMessageResult,
} from '@chat/shared';
import {
  Cluster, clientId, eventually, next, request, startDataTier,
} from './support/cluster';
import type { ChatClient, DataTier, TestUser } from './support/cluster';
// The repository's shared test support lives at the root, outside every workspace.
// eslint-disable-next-line import/no-relative-packages
import { assertMatchesSpec } from '../../test/support/openapi';

interface Changed { message: ChatMessagePayload }
interface ResumedGroup {
  room: string;
  ok: boolean;
  items?: ChatMessagePayload[];
  rev?: number;
  hasMore?: boolean;
  error?: { code: string };
}

/** A client's view of a group: per message id, the state with the highest rev. */
const view = () => {
  const byId = new Map<string, ChatMessagePayload>();
  const apply = (m: ChatMessagePayload) => {
    const held = byId.get(m.id);
    if (!held || (held.rev ?? 0) <= (m.rev ?? 0)) byId.set(m.id, m);
  };
  const sorted = () => [...byId.values()].sort((a, b) => a.seq - b.seq);
  return { apply, sorted, byId };
};

const ok = <T extends object>(ack: Ack<T>): T => {
  assert.ok(ack.ok, JSON.stringify(ack));
  return ack as T;
};

describe('chat server: the group timeline', function () {
  this.timeout(60000);
  let tier: DataTier;
  let cluster: Cluster;

  before(async () => { tier = await startDataTier('timeline'); });
  after(async () => { await tier.close(); });
  beforeEach(() => { cluster = new Cluster(tier); });
  afterEach(async () => { await cluster.close(); });

  const send = async (client: ChatClient, user: TestUser, room: string, message: string, replyTo?: string) => ok(
    await request<SendMessageResult>(client, 'chat message', {
      message, up: user.up, room, clientId: clientId(), ...(replyTo ? { replyTo } : {}),
    }),
  );

  const answered = async (source: 'buffer' | 'data', server = 0): Promise<number> => {
    const text = await (await fetch(`${cluster.server(server).url}/metrics`)).text();
    const match = new RegExp(`chat_history_answers_total\\{[^}]*source="${source}"[^}]*\\} (\\d+)`).exec(text);
    return match ? Number(match[1]) : 0;
  };

  it('lets only the author edit (FORBIDDEN otherwise), only members react, and shows edits, replies and deletes live', async () => {
    await cluster.addServer();
    const [alice, bob, eve] = await cluster.users(3);
    const group = await cluster.group(alice!, [bob!]);
    const a = await cluster.connect(alice!);
    const b = await cluster.connect(bob!);
    const e = await cluster.connect(eve!);
    const sent = await send(a, alice!, group, 'first draft');

    const refused = await request(b, 'edit message', { room: group, id: sent.id, message: 'hijacked' });
    assert.equal(refused.ok, false);
    assert.equal((refused as { error: { code: string } }).error.code, 'FORBIDDEN');
    const outsider = await request(e, 'add reaction', { room: group, id: sent.id, emoji: '👍' });
    assert.equal(outsider.ok, false);
    assert.equal((outsider as { error: { code: string } }).error.code, 'FORBIDDEN');
    const outsiderRest = await cluster.rest('PUT', `/chat/${group}/message/${sent.id}/reactions/${encodeURIComponent('👍')}`, { user: eve });
    assert.equal(outsiderRest.status, 403);

    const bobHearsEdit = next(b, 'message updated', (m) => m.id === sent.id);
    const edited = ok(await request<Changed>(a, 'edit message', { room: group, id: sent.id, message: 'final text' })).message;
    assert.equal(edited.message, 'final text');
    assert.ok(edited.editedAt);
    assert.deepEqual(await bobHearsEdit, edited);
    const history = await cluster.history(bob!, group);
    assert.equal(history.find((m) => m.id === sent.id)?.message, 'final text', 'history holds the latest text');

    const mentioned = next(a, 'mentioned');
    const reply = await send(b, bob!, group, `@${alice!.username} agreed`, sent.id);
    const replyLive = (await cluster.history(alice!, group)).find((m) => m.id === reply.id);
    assert.deepEqual(replyLive?.replyTo, {
      id: sent.id, seq: sent.seq, up: alice!.up, excerpt: 'final text',
    });
    assert.deepEqual(replyLive?.mentions, [alice!.up]);
    assert.deepEqual(await mentioned, {
      room: group, id: reply.id, seq: reply.seq, up: bob!.up,
    });
    const groups = await cluster.rest('GET', '/chat/groups', { user: alice });
    const { items: listed } = groups.body as { items: Array<{ id: string; unreadMentions: number }> };
    const mine = listed.find((g) => g.id === group);
    assert.equal(mine?.unreadMentions, 1);

    const quoteGone = next(b, 'message updated', (m) => m.id === reply.id);
    const del = await cluster.rest('DELETE', `/chat/${group}/message/${sent.id}`, { user: alice });
    assert.equal(del.status, 200, JSON.stringify(del.body));
    assert.equal((del.body as ChatMessagePayload).deleted, true);
    assert.deepEqual((await quoteGone).replyTo, {
      id: sent.id, seq: sent.seq, up: alice!.up, deleted: true,
    });
    const after = await cluster.history(bob!, group);
    assert.deepEqual(after.map((m) => m.seq), [1, 2], 'the tombstone keeps its seq');
    assert.equal(after[0]?.message, '');
    assert.ok(!JSON.stringify(after).includes('final text'), 'the text is gone from history and every quote');
  });

  it("answers the caller's own reactions on messages of a group, to members only", async () => {
    await cluster.addServer();
    const [alice, bob, eve] = await cluster.users(3);
    const group = await cluster.group(alice!, [bob!]);
    const a = await cluster.connect(alice!);
    const b = await cluster.connect(bob!);
    const first = await send(a, alice!, group, 'first');
    const second = await send(a, alice!, group, 'second');
    ok(await request(b, 'add reaction', { room: group, id: second.id, emoji: '👍' }));
    ok(await request(b, 'add reaction', { room: group, id: second.id, emoji: '🎉' }));
    ok(await request(a, 'add reaction', { room: group, id: first.id, emoji: '👀' }));
    const mine = (user: TestUser) => cluster.rest('GET', `/chat/${group}/reactions/mine?messages=${first.id},${second.id}`, { user });
    const bobs = await mine(bob!);
    assertMatchesSpec('get', '/chat/{group}/reactions/mine', bobs);
    assert.deepEqual(bobs.body, { items: [{ id: second.id, emoji: ['👍', '🎉'] }] });
    assert.deepEqual((await mine(alice!)).body, { items: [{ id: first.id, emoji: ['👀'] }] });
    const outsider = await mine(eve!);
    assertMatchesSpec('get', '/chat/{group}/reactions/mine', outsider);
    assert.equal(outsider.status, 403);
    const none = await cluster.rest('GET', `/chat/${group}/reactions/mine`, { user: bob });
    assert.equal(none.status, 400);
    assert.equal((none.body as { error: { code: string } }).error.code, 'VALIDATION_FAILED');
  });

  async function awayDuringFiftyChanges(env: Record<string, string>) {
    await cluster.addServer({ SOCKET_MESSAGE_POINTS: '1000', ...env });
    await cluster.addServer({ SOCKET_MESSAGE_POINTS: '1000', ...env });
    const [alice, bob, carol] = await cluster.users(3);
    const group = await cluster.group(alice!, [bob!, carol!]);
    const a = await cluster.connect(alice!, 0);
    const b = await cluster.connect(bob!, 1);
    const seenByBob = view();
    b.on('chat message', seenByBob.apply);
    b.on('message updated', seenByBob.apply);

    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await send(a, alice!, group, `before ${i}`)).id);
    let c = await cluster.connect(carol!, 0);
    const carolSees = view();
    const joined = ok(await request<JoinRoomResult>(c, 'join room', { up: carol!.up, room: group }));
    joined.messages.forEach(carolSees.apply);
    const lastRev = Math.max(...joined.messages.map((m) => m.rev ?? 0));
    c.disconnect();

    const deleted = new Set<string>();
    const live = () => ids.filter((id) => !deleted.has(id));
    for (let i = 0; i < 50; i += 1) {
      const target = live()[(i * 7) % live().length]!;
      switch (i % 5) {
        case 0: ids.push((await send(b, bob!, group, `new ${i}`)).id); break;
        case 1: ok(await request(a, 'add reaction', { room: group, id: target, emoji: i % 2 ? '👍' : '🎉' })); break;
        case 2: ok(await request(b, 'add reaction', { room: group, id: target, emoji: '👍' })); break;
        case 3: {
          const mine = ids.slice(0, 5).filter((id) => !deleted.has(id));
          const id = mine[i % Math.max(1, mine.length)];
          if (id && i % 3 === 0) {
            ok(await request(a, 'delete message', { room: group, id }));
            deleted.add(id);
          } else if (id) {
            ok(await request(a, 'edit message', { room: group, id, message: `edit ${i}` }));
          }
          break;
        }
        default: ok(await request(b, 'remove reaction', { room: group, id: target, emoji: '👍' }));
      }
    }

    c = await cluster.connect(carol!, 0);
    const dataBefore = await answered('data');
    const resumed = ok(await request<{ groups: ResumedGroup[] }>(c, 'resume', { groups: [{ room: group, rev: lastRev }] }));
    const dataRead = (await answered('data')) - dataBefore;
    const [answer] = resumed.groups;
    assert.ok(answer?.ok, JSON.stringify(answer));
    const items = answer.items ?? [];
    assert.equal(answer.hasMore, false);
    assert.equal(new Set(items.map((m) => m.id)).size, items.length, 'each message once');
    const revs = items.map((m) => m.rev ?? 0);
    assert.deepEqual(revs, [...revs].sort((x, y) => x - y), 'in rev order');
    assert.ok(revs.every((rev) => rev > lastRev));
    items.forEach(carolSees.apply);

    const truth = await cluster.history(alice!, group);
    assert.deepEqual(carolSees.sorted(), truth, 'the away member holds exactly the final state');
    assert.equal(answer.rev, Math.max(...truth.map((m) => m.rev ?? 0)));
    await eventually(() => JSON.stringify(seenByBob.sorted()) === JSON.stringify(truth), 'the member on the other server sees the same final state');
    const again = ok(await request<{ groups: ResumedGroup[] }>(c, 'resume', { groups: [{ room: group, rev: answer.rev! }] }));
    assert.deepEqual(again.groups[0]?.items, [], 'nothing twice');
    return dataRead;
  }

  it('gives a member away during 50 mixed changes exactly the final state, each change once, in order, from the buffer', async () => {
    const dataReads = await awayDuringFiftyChanges({});
    assert.equal(dataReads, 0, 'a short absence costs no data-service read');
  });

  it('does the same from the data service when the absence is longer than the buffer', async () => {
    const dataReads = await awayDuringFiftyChanges({ RECENT_BUFFER_SIZE: '10' });
    assert.ok(dataReads > 0, 'the gap was read from the data service');
  });

  it('loses and doubles nothing when the sender\'s chat server goes away in the middle of a burst of changes', async () => {
    await cluster.addServer({ SOCKET_MESSAGE_POINTS: '1000' });
    await cluster.addServer({ SOCKET_MESSAGE_POINTS: '1000' });
    const [alice, bob, carol] = await cluster.users(3);
    const group = await cluster.group(alice!, [bob!, carol!]);
    let a = await cluster.connect(alice!, 0);
    const b = await cluster.connect(bob!, 1);
    const seenByBob = view();
    b.on('chat message', seenByBob.apply);
    b.on('message updated', seenByBob.apply);
    const seeded: string[] = [];
    for (let i = 0; i < 10; i += 1) seeded.push((await send(a, alice!, group, `seed ${i}`)).id);
    const c = await cluster.connect(carol!, 1);
    const joined = ok(await request<JoinRoomResult>(c, 'join room', { up: carol!.up, room: group }));
    const carolSees = view();
    joined.messages.forEach(carolSees.apply);
    const lastRev = Math.max(...joined.messages.map((m) => m.rev ?? 0));
    c.disconnect();

    const actions: Array<[string, object]> = [];
    for (let i = 0; i < 10; i += 1) {
      actions.push(['chat message', {
        message: `burst ${i}`, up: alice!.up, room: group, clientId: `burst-${i}`,
      }]);
      actions.push(['edit message', {
        room: group, id: seeded[i], message: `edited ${i}`, clientId: `edit-${i}`,
      }]);
    }
    // Fired without waiting, then the server goes away: some are applied, their acks lost.
    actions.forEach(([event, payload]) => { void request(a, event as 'chat message', payload).catch(() => undefined); });
    a.disconnect();
    await cluster.server(0).close();
    a = await cluster.connect(alice!, 1);
    for (const [event, payload] of actions) ok(await request(a, event as 'chat message', payload));

    const page = await cluster.rest('GET', `/chat/${group}/message?perPage=100`, { user: alice, server: 1 });
    const truth = (page.body as { items: ChatMessagePayload[] }).items;
    assert.equal(truth.length, 20, 'nothing stored twice');
    for (let i = 0; i < 10; i += 1) {
      assert.equal(truth.filter((m) => m.message === `burst ${i}`).length, 1);
      assert.equal(truth.find((m) => m.id === seeded[i])?.message, `edited ${i}`);
    }
    const c2 = await cluster.connect(carol!, 1);
    const resumed = ok(await request<{ groups: ResumedGroup[] }>(c2, 'resume', { groups: [{ room: group, rev: lastRev }] }));
    const items = resumed.groups[0]?.items ?? [];
    assert.equal(new Set(items.map((m) => m.id)).size, items.length, 'each message once');
    items.forEach(carolSees.apply);
    assert.deepEqual(carolSees.sorted(), truth, 'the away member holds exactly the final state');
    await eventually(() => JSON.stringify(seenByBob.sorted()) === JSON.stringify(truth), 'the live member holds the final state');
  });

  it('resumes every group in one request, refusing a group the caller is not in', async () => {
    await cluster.addServer();
    const [alice, bob] = await cluster.users(2);
    const g1 = await cluster.group(alice!, [bob!], 'one');
    const g2 = await cluster.group(alice!, [bob!], 'two');
    const foreign = await cluster.group(alice!, [], 'alone');
    const a = await cluster.connect(alice!);
    const m1 = await send(a, alice!, g1, 'in one');
    const m2 = await send(a, alice!, g2, 'in two');
    const b = await cluster.connect(bob!);
    const resumed = ok(await request<{ groups: ResumedGroup[] }>(b, 'resume', {
      groups: [{ room: g1, rev: 0 }, { room: g2, rev: 0 }, { room: foreign, rev: 0 }],
    }));
    assert.deepEqual(resumed.groups.map((g) => [g.room, g.ok]), [[g1, true], [g2, true], [foreign, false]]);
    assert.deepEqual(resumed.groups[0]?.items?.map((m) => m.id), [m1.id]);
    assert.deepEqual(resumed.groups[1]?.items?.map((m) => m.id), [m2.id]);
    assert.equal(resumed.groups[2]?.error?.code, 'FORBIDDEN');
    const rest = await cluster.rest('GET', `/chat/${g1}/changes?after=0`, { user: bob });
    assert.deepEqual((rest.body as { items: ChatMessagePayload[] }).items.map((m) => m.id), [m1.id]);
  });
});
