/** POST /message/search against the real test database (FerretDB here: the `scan` engine). */
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { searchTextOf } from '@chat/shared';
import type {
  Group, SearchHit, SearchPage, StoredMessage,
} from '@chat/shared';
import { startDataService } from '../src/service';
import {
  assertMatchesSpec, createGroup, createUser, postMessage, startHarness, testConfig,
} from './helpers';
import type { Harness } from './helpers';

describe('data service: search', function () {
  let h: Harness;
  let chat: Group;
  let other: Group;

  const search = async (body: object) => {
    const res = await h.api.post('/message/search', body);
    assertMatchesSpec('post', '/message/search', res);
    return res;
  };
  const found = async (q: string, groups: string[], extra: object = {}): Promise<SearchPage> => {
    const res = await search({ q, groups, ...extra });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as SearchPage;
  };
  const texts = (page: SearchPage): string[] => page.items.map((hit) => hit.snippet.text);
  /** The marked words of a hit, as a reader sees them. */
  const marked = (hit: SearchHit): string[] => {
    const points = Array.from(hit.snippet.text);
    return hit.snippet.marks.map((m) => points.slice(m.start, m.end).join(''));
  };

  before(async () => {
    h = await startHarness('search');
    for (const up of ['4001', '4002', '4003']) await createUser(h.api, up);
    chat = await createGroup(h.api, 'chat', ['4001', '4002']);
    other = await createGroup(h.api, 'other', ['4003']);
  });
  after(async () => { await h?.close(); });

  it('finds "ola" with "Olá" and "Olá" with "ola", and says which engine answered', async () => {
    const accented = await postMessage(h.api, chat.id, '4001', 'Olá, tudo bem?');
    const plain = await postMessage(h.api, chat.id, '4002', 'ola pessoal');
    await postMessage(h.api, chat.id, '4002', 'olaf is not a match');

    const byAccent = await found('Olá', [chat.id]);
    assert.equal(byAccent.engine, 'scan', 'FerretDB has no $text');
    assert.equal(byAccent.truncated, false);
    assert.deepEqual(byAccent.items.map((hit) => hit.id).sort(), [accented.id, plain.id].sort());
    const byPlain = await found('OLA', [chat.id]);
    assert.deepEqual(byPlain.items.map((hit) => hit.id).sort(), [accented.id, plain.id].sort());

    const hit = byPlain.items.find((item) => item.id === accented.id);
    assert.deepEqual(hit && {
      group: hit.group, seq: hit.seq, from: hit.from, timestamp: hit.timestamp,
    }, {
      group: chat.id, seq: accented.seq, from: '4001', timestamp: accented.timestamp,
    });
    assert.deepEqual(hit && marked(hit), ['Olá']);
  });

  it('searches only the groups it is given', async () => {
    await postMessage(h.api, other.id, '4003', 'segredo do outro grupo');
    assert.deepEqual(texts(await found('segredo', [chat.id])), []);
    assert.deepEqual(texts(await found('segredo', [])), []);
    assert.deepEqual(texts(await found('segredo', [chat.id, other.id])), ['segredo do outro grupo']);
  });

  it('reads regular expression operators in a query as separators, never as operators', async () => {
    const group = await createGroup(h.api, 'regex', ['4001']);
    await postMessage(h.api, group.id, '4001', 'x.z and x+y');
    await postMessage(h.api, group.id, '4001', 'xyz');
    // ".*" alone holds no word: refused, not "match everything".
    const wildcard = await search({ q: '.*', groups: [group.id] });
    assert.equal(wildcard.status, 400);
    assert.equal(wildcard.body.error.code, 'VALIDATION_FAILED');
    assert.deepEqual(texts(await found('x.z', [group.id])), ['x.z and x+y'], 'the words x and z, not "x, any, z"');
    assert.deepEqual(texts(await found('(xyz|qqq)', [group.id])), ['xyz']);
    assert.deepEqual(texts(await found('[a-q]+', [group.id])), [], 'the words a and q');
  });

  it('refuses an over-long query and answers a long pathological one harmlessly', async () => {
    const group = await createGroup(h.api, 'pathological', ['4001']);
    const tooLong = await search({ q: `${'(a+)+'.repeat(40)}x`, groups: [group.id] });
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.body.error.message, /q: must be 1 to 200 characters/);
    await postMessage(h.api, group.id, '4001', `${'a'.repeat(3000)}!`);
    // The classic catastrophic pattern, 39 times over: read as the word "a" (and "b"), which no message holds alone.
    assert.deepEqual(texts(await found(`${'(a+)+'.repeat(39)}b`, [group.id])), []);
    const manyWords = Array.from({ length: 10 }, (_, i) => 'a'.repeat(10 + i)).join(' ');
    assert.deepEqual(texts(await found(manyWords, [group.id])), []);
    assert.equal((await found('a'.repeat(3000 / 15), [group.id])).items.length, 0);
  });

  it('answers bad input with 400 VALIDATION_FAILED', async () => {
    for (const body of [
      { q: 'x', groups: ['nope'] },
      { q: 'x', groups: [chat.id], limit: 51 },
      { q: 'x', groups: [chat.id], cursor: 'not-a-cursor' },
      { q: 'x', groups: [chat.id], cursor: Buffer.from('{"e":"scan","top":{"$gt":""}}').toString('base64url') },
      { q: 'x', groups: [chat.id], extra: 1 },
      { groups: [chat.id] },
    ]) {
      const res = await search(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    }
  });

  it('never finds a deleted message', async () => {
    const gone = await postMessage(h.api, chat.id, '4001', 'apagada depois');
    const kept = await postMessage(h.api, chat.id, '4001', 'apagada não');
    const messages = h.db.collection('messages');
    // A delete as the data service stores it: the flag set (the text-derived fields may be gone too).
    await messages.updateOne({ _id: new Types.ObjectId(gone.id) }, { $set: { deleted: true } });
    assert.deepEqual((await found('apagada', [chat.id])).items.map((hit) => hit.id), [kept.id]);
    await messages.updateOne({ _id: new Types.ObjectId(kept.id) }, { $unset: { searchText: '' } });
    assert.deepEqual(texts(await found('apagada', [chat.id])), []);
  });

  it('finds an edited message by its new words, not its old ones, and shows it as it reads now', async () => {
    const group = await createGroup(h.api, 'edits', ['4001']);
    const message = await postMessage(h.api, group.id, '4001', 'primeira versão');
    // An edit as the data service stores it: the text and its search copy together.
    await h.db.collection('messages').updateOne({ _id: new Types.ObjectId(message.id) }, {
      $set: { message: 'Segunda VERSÃO', searchText: searchTextOf('Segunda VERSÃO') },
    });
    assert.deepEqual(texts(await found('primeira', [group.id])), []);
    const now = await found('segunda', [group.id]);
    assert.deepEqual(texts(now), ['Segunda VERSÃO']);
    assert.deepEqual(now.items[0] && marked(now.items[0]), ['Segunda']);
  });

  it('pages through ranked results with a cursor, each result once', async () => {
    const group = await createGroup(h.api, 'paging', ['4001']);
    const stored: StoredMessage[] = [];
    for (let i = 0; i < 23; i += 1) {
      // Every fifth message holds both words and ranks first.
      stored.push(await postMessage(h.api, group.id, '4001', i % 5 === 0 ? `pagina ${i} dupla` : `pagina ${i}`));
    }
    const seen: SearchHit[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await found('página dupla', [group.id], { limit: 10, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    assert.equal(seen.length, 23);
    assert.equal(new Set(seen.map((hit) => hit.id)).size, 23, 'no result twice');
    const doubles = stored.filter((m) => m.message.endsWith('dupla')).map((m) => m.seq).reverse();
    assert.deepEqual(seen.slice(0, 5).map((hit) => hit.seq), doubles, 'both words first, newest first');
    const singles = seen.slice(5).map((hit) => hit.seq);
    assert.deepEqual(singles, [...singles].sort((a, b) => b - a), 'then newest first');
  });

  it('scans at most its limit of messages, newest first, and says the scan was truncated', async () => {
    const small = await startDataService(testConfig(h.mongoUrl, h.logDir, { search: { scanLimit: 3 } }));
    try {
      const group = await createGroup(h.api, 'window', ['4001']);
      for (const n of [1, 2, 3, 4, 5]) await postMessage(h.api, group.id, '4001', `janela ${n}`);
      const res = await fetch(`${small.url}/message/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-internal-token': 'test-internal-token' },
        body: JSON.stringify({ q: 'janela', groups: [group.id] }),
      });
      const page = await res.json() as SearchPage;
      assert.equal(page.truncated, true);
      assert.deepEqual(texts(page), ['janela 5', 'janela 4', 'janela 3']);
    } finally {
      await small.close();
    }
  });

  it('falls back to the scan when the text engine meets a server without $text', async () => {
    const forced = await startDataService(testConfig(h.mongoUrl, h.logDir, { search: { engine: 'text' } }));
    try {
      const group = await createGroup(h.api, 'fallback', ['4001']);
      await postMessage(h.api, group.id, '4001', 'Último aviso');
      const ask = () => fetch(`${forced.url}/message/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-internal-token': 'test-internal-token' },
        body: JSON.stringify({ q: 'ultimo', groups: [group.id] }),
      }).then((res) => res.json() as Promise<SearchPage>);
      const first = await ask();
      assert.equal(first.engine, 'scan', 'FerretDB refuses $text: the service scans instead');
      assert.deepEqual(texts(first), ['Último aviso']);
      assert.equal((await ask()).engine, 'scan');
    } finally {
      await forced.close();
    }
  });

  it('makes messages stored before search existed searchable when it starts', async () => {
    const group = await createGroup(h.api, 'older', ['4001']);
    const oldId = new Types.ObjectId();
    await h.db.collection('messages').insertOne({
      _id: oldId, group: new Types.ObjectId(group.id), seq: 1, from: '4001', message: 'Mensagem ANTIGA', clientId: 'old-1', timestamp: new Date(),
    });
    assert.deepEqual(texts(await found('antiga', [group.id])), []);
    const next = await startDataService(testConfig(h.mongoUrl, h.logDir));
    try {
      assert.ok(await next.searchBackfill >= 1);
    } finally {
      await next.close();
    }
    const stored = await h.db.collection('messages').findOne({ _id: oldId });
    assert.equal(stored?.searchText, 'mensagem antiga');
    assert.deepEqual(texts(await found('antiga', [group.id])), ['Mensagem ANTIGA']);
  });
});
