/**
 * GET /chat/search through a real chat server, data service and FerretDB:
 * only the caller's groups at the time of the query, accent-insensitive,
 * paged once each, bad input refused; every response checked against swagger.yaml.
 */
import assert from 'node:assert/strict';
import type { ChatSearchHit, ChatSearchPage, SendMessageResult } from '@chat/shared';
import {
  Cluster, clientId, request, startDataTier,
} from './support/cluster';
import type { ChatClient, DataTier, TestUser } from './support/cluster';
// The shared spec checker lives in the root package's test support, which has no package name to import by.
// eslint-disable-next-line import/no-relative-packages
import { assertMatchesSpec as assertSpec } from '../../test/support/openapi';

describe('chat server: search', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let team: string;
  let secret: string;
  let a: ChatClient;

  const send = async (client: ChatClient, user: TestUser, room: string, message: string) => {
    const ack = await request<SendMessageResult>(client, 'chat message', {
      message, up: user.up, room, clientId: clientId(),
    });
    assert.ok(ack.ok, JSON.stringify(ack));
    return ack;
  };
  const search = async (user: TestUser, query: Record<string, string>) => {
    const res = await cluster.rest('GET', `/chat/search?${new URLSearchParams(query).toString()}`, { user });
    assertSpec('get', '/chat/search', res);
    return res;
  };
  const found = async (user: TestUser, query: Record<string, string>): Promise<ChatSearchPage> => {
    const res = await search(user, query);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as ChatSearchPage;
  };
  const texts = (page: ChatSearchPage) => page.items.map((hit) => hit.snippet.text);

  before(async () => {
    tier = await startDataTier('search');
    cluster = new Cluster(tier);
    await cluster.addServer({ SOCKET_MESSAGE_POINTS: '100' });
    [alice, bob, carol] = await cluster.users(3) as [TestUser, TestUser, TestUser];
    team = await cluster.group(alice, [bob], 'team');
    secret = await cluster.group(carol, [], 'secret');
    a = await cluster.connect(alice);
    await send(a, alice, team, 'Olá equipa, reunião às 10h');
    await send(a, alice, team, 'ola again, in English');
    const c = await cluster.connect(carol);
    await send(c, carol, secret, 'Olá, isto é segredo');
  });
  after(async () => {
    await cluster.close();
    await tier.close();
  });

  it('finds "ola" with "Olá" and the reverse, in the caller\'s groups, with author, seq, time and marks', async () => {
    const page = await found(bob, { q: 'ola' });
    assert.equal(page.engine, 'scan', 'FerretDB has no $text');
    assert.deepEqual(texts(page).sort(), ['Olá equipa, reunião às 10h', 'ola again, in English']);
    const hit = page.items.find((item) => item.seq === 1) as ChatSearchHit;
    assert.equal(hit.room, team);
    assert.equal(hit.up, alice.up);
    assert.ok(!Number.isNaN(Date.parse(hit.timestamp)));
    assert.deepEqual(hit.snippet.marks, [{ start: 0, end: 3 }]);
    assert.deepEqual(texts(await found(bob, { q: 'OLÁ' })).sort(), texts(page).sort());
    assert.deepEqual(texts(await found(bob, { q: 'reuniao', group: team })), ['Olá equipa, reunião às 10h']);
  });

  it('never shows a non-member a group\'s messages', async () => {
    assert.deepEqual(texts(await found(bob, { q: 'segredo' })), []);
    const asked = await search(bob, { q: 'segredo', group: secret });
    assert.equal(asked.status, 403);
    assert.equal((asked.body as { error: { code: string } }).error.code, 'FORBIDDEN');
    assert.deepEqual(texts(await found(carol, { q: 'segredo' })), ['Olá, isto é segredo']);
  });

  it('stops finding a group\'s messages as soon as the caller leaves it', async () => {
    const club = await cluster.group(alice, [bob], 'club');
    await send(a, alice, club, 'clube do livro amanhã');
    assert.deepEqual(texts(await found(bob, { q: 'livro' })), ['clube do livro amanhã']);
    const left = await cluster.rest('DELETE', `/chat/groups/${club}/members/${bob.up}`, { user: bob });
    assert.equal(left.status, 200);
    assert.deepEqual(texts(await found(bob, { q: 'livro' })), []);
    assert.equal((await search(bob, { q: 'livro', group: club })).status, 403);
    assert.deepEqual(texts(await found(alice, { q: 'livro' })), ['clube do livro amanhã']);
  });

  it('pages through results with the cursor, each result once', async () => {
    const many = await cluster.group(alice, [], 'many');
    for (let i = 0; i < 7; i += 1) await send(a, alice, many, `página ${i}`);
    const seqs: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await found(alice, {
        q: 'pagina', group: many, limit: '3', ...(cursor ? { cursor } : {}),
      });
      seqs.push(...page.items.map((hit) => hit.seq));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && seqs.length < 20);
    assert.deepEqual(seqs, [7, 6, 5, 4, 3, 2, 1]);
  });

  it('treats regular expression operators as plain text and refuses bad input with 400', async () => {
    assert.deepEqual(texts(await found(alice, { q: '(ola|.*)+' })).sort(), ['Olá equipa, reunião às 10h', 'ola again, in English']);
    const bad: Array<Record<string, string>> = [
      { q: '' }, { q: '.*' }, { q: 'x'.repeat(201) }, { q: 'x', limit: '0' }, { q: 'x', group: 'nope' },
      { q: 'x', cursor: '!!' }, { q: 'x', cursor: 'eyJlIjoieCJ9' }, { q: 'x', other: '1' },
    ];
    for (const query of bad) {
      const res = await search(alice, query);
      assert.equal(res.status, 400, JSON.stringify(query));
      assert.equal((res.body as { error: { code: string } }).error.code, 'VALIDATION_FAILED');
    }
    assert.equal((await cluster.rest('GET', '/chat/search?q=ola')).status, 401);
  });
});
