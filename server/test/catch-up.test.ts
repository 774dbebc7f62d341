/**
 * Catch-up after a disconnect (docs/design.md, Catch-up and the recent buffer): `join room` with `since`
 * gives every missed message once, in order; from the recent buffer when it
 * can be trusted, from the data service when the gap is older or the buffer
 * has a hole; a crowd rejoining costs one data-service read.
 */
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { testRedisUrl } from '@chat/local-services';
import type {
  ChatMessagePayload, CursorPage, JoinRoomResult, SendMessageResult,
} from '@chat/shared';
import {
  Cluster, INTERNAL_TOKEN, clientId, request, startDataTier,
} from './support/cluster';
import type { ChatClient, DataTier, TestUser } from './support/cluster';
import { recentKeys } from '../src/history/redis-buffer';

type Redis = ReturnType<typeof createClient>;

describe('chat server: catch-up and the recent buffer', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;
  let redis: Redis;

  before(async () => {
    tier = await startDataTier('catch-up');
    redis = createClient({ url: testRedisUrl() });
    await redis.connect();
  });
  after(async () => {
    await redis.quit();
    await tier.close();
  });
  beforeEach(() => { cluster = new Cluster(tier); });
  afterEach(async () => { await cluster.close(); });

  const send = async (client: ChatClient, user: TestUser, group: string, count: number) => {
    const acks = await Promise.all(Array.from({ length: count }, (_, i) => request<SendMessageResult>(client, 'chat message', {
      message: `message ${i}`, up: user.up, room: group, clientId: clientId(),
    })));
    acks.forEach((a) => assert.ok(a.ok, JSON.stringify(a)));
  };

  const join = async (client: ChatClient, user: TestUser, group: string, since?: number) => {
    const ack = await request<JoinRoomResult>(client, 'join room', { up: user.up, room: group, since });
    assert.ok(ack.ok, JSON.stringify(ack));
    return ack;
  };

  /** How many join histories this server answered from `source` so far. */
  const answered = async (source: 'buffer' | 'data', server = 0): Promise<number> => {
    const text = await (await fetch(`${cluster.server(server).url}/metrics`)).text();
    const match = new RegExp(`chat_history_answers_total\\{[^}]*source="${source}"[^}]*\\} (\\d+)`).exec(text);
    return match ? Number(match[1]) : 0;
  };

  const seqs = (messages: ChatMessagePayload[]) => messages.map((m) => m.seq);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  async function scenario(env: Record<string, string> = {}) {
    await cluster.addServer({ SOCKET_MESSAGE_POINTS: '1000', ...env });
    const [alice, bob] = await cluster.users(2);
    const group = await cluster.group(alice!, [bob!]);
    const a = await cluster.connect(alice!);
    return {
      alice: alice!, bob: bob!, group, a,
    };
  }

  async function missFiftyAndCatchUp(withRedis: boolean) {
    const {
      alice, bob, group, a,
    } = await scenario(withRedis ? {} : { REDIS_URL: '' });
    await send(a, alice, group, 5);
    let b = await cluster.connect(bob);
    const first = await join(b, bob, group);
    assert.deepEqual(seqs(first.messages), range(1, 5));
    b.disconnect();

    await send(a, alice, group, 50);
    b = await cluster.connect(bob);
    const live: number[] = [];
    b.on('chat message', (m) => live.push(m.seq));
    const before = await answered('data');
    const caughtUp = await join(b, bob, group, first.lastSeq);
    assert.deepEqual(seqs(caughtUp.messages), range(6, 55));
    assert.equal(caughtUp.lastSeq, 55);
    assert.equal(caughtUp.hasMore, false);
    assert.equal(await answered('data'), before, 'no data-service read for a gap inside the buffer');

    const upToDate = await join(b, bob, group, 55);
    assert.deepEqual(upToDate.messages, []);
    assert.equal(upToDate.lastSeq, 55);
    assert.equal(await answered('data'), before, 'no data-service read when nothing was missed');
    assert.deepEqual(live, [], 'nothing old arrives live');
  }

  it('gives a client that missed 50 messages each of them once, in order, from the buffer (Redis)', async () => {
    await missFiftyAndCatchUp(true);
  });

  it('gives a client that missed 50 messages each of them once, in order, from the buffer (memory)', async () => {
    await missFiftyAndCatchUp(false);
  });

  it('reads a gap older than the buffer from the data service, capped, and the REST cursor gives the rest', async () => {
    const {
      alice, bob, group, a,
    } = await scenario({ RECENT_BUFFER_SIZE: '20', CATCH_UP_LIMIT: '30' });
    await send(a, alice, group, 50);
    const b = await cluster.connect(bob);
    const before = await answered('data');
    const capped = await join(b, bob, group, 5);
    assert.deepEqual(seqs(capped.messages), range(6, 35));
    assert.equal(capped.hasMore, true);
    assert.equal(await answered('data'), before + 1);

    const rest = await cluster.rest('GET', `/chat/${group}/message?after=35&limit=100`, { user: bob });
    assert.equal(rest.status, 200);
    const page = rest.body as CursorPage<ChatMessagePayload>;
    assert.deepEqual(seqs(page.items), range(36, 50));
    assert.equal(page.hasMore, false);

    const recent = await join(b, bob, group, 40);
    assert.deepEqual(seqs(recent.messages), range(41, 50), 'a short gap is inside the 20-message buffer');
    assert.equal(await answered('data'), before + 1);
  });

  it('serves REST pages inside the buffer from it, older pages from the data service, the same either way', async () => {
    const {
      alice, bob, group, a,
    } = await scenario({ RECENT_BUFFER_SIZE: '20' });
    await send(a, alice, group, 45);
    const page = async (query: string) => {
      const res = await cluster.rest('GET', `/chat/${group}/message?${query}`, { user: bob });
      assert.equal(res.status, 200, query);
      return res.body as CursorPage<ChatMessagePayload>;
    };
    const before = await answered('data');
    const newest = await page('limit=10');
    assert.deepEqual(seqs(newest.items), range(36, 45));
    assert.equal(newest.hasMore, true);
    const back = await page('before=36&limit=10');
    assert.deepEqual(seqs(back.items), range(26, 35));
    assert.equal(await answered('data'), before, 'both pages came from the buffer');
    const deep = await page('before=26&limit=10');
    assert.deepEqual(seqs(deep.items), range(16, 25), 'reaching past the buffer reads the data service');
    const first = await page('before=4&limit=10');
    assert.deepEqual(seqs(first.items), range(1, 3));
    assert.equal(first.hasMore, false);
    assert.equal(await answered('data'), before + 2);
    const stored = await fetch(`${tier.url}/group/${group}/messages?before=36&limit=10`, {
      headers: { 'x-internal-token': INTERNAL_TOKEN },
    });
    const fromData = await stored.json() as CursorPage<{ seq: number; message: string }>;
    assert.deepEqual(fromData.items.map((m) => [m.seq, m.message]), back.items.map((m) => [m.seq, m.message]));
  });

  it('never trusts a buffer with a hole: the missing message still arrives, from the data service', async () => {
    const {
      alice, bob, group, a,
    } = await scenario();
    await send(a, alice, group, 10);
    // A lost append: seq 7 is not in the buffer.
    await redis.zRemRangeByScore(recentKeys(cluster.redisPrefix, group)[0], 7, 7);
    const b = await cluster.connect(bob);
    const before = await answered('data');
    const caughtUp = await join(b, bob, group, 2);
    assert.deepEqual(seqs(caughtUp.messages), range(3, 10));
    assert.equal(await answered('data'), before + 1);
  });

  it('turns 20 clients rejoining at once with the same since into one data-service read', async () => {
    const {
      alice, bob, group, a,
    } = await scenario();
    await send(a, alice, group, 12);
    await redis.del(recentKeys(cluster.redisPrefix, group));
    const clients = await Promise.all(Array.from({ length: 20 }, () => cluster.connect(bob)));
    const before = await answered('data');
    const answers = await Promise.all(clients.map((c) => join(c, bob, group, 4)));
    answers.forEach((answer) => assert.deepEqual(seqs(answer.messages), range(5, 12)));
    assert.equal(await answered('data'), before + 1);

    // That read refilled the buffer: the next reconnect needs none.
    const again = await join(clients[0]!, bob, group, 8);
    assert.deepEqual(seqs(again.messages), range(9, 12));
    assert.equal(await answered('data'), before + 1);
  });
});
