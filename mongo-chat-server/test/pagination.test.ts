/**
 * History paging over 2,000 messages: cursor pages in both directions and the
 * seed's offset pages each return every message exactly once, in order, and
 * agree with one another.
 */
import assert from 'node:assert/strict';
import type { Group, StoredMessage } from '@chat/shared';
import {
  assertMatchesSpec, createGroup, createUser, startHarness, storeMany, ZERO_ID,
} from './helpers';
import type { Harness } from './helpers';

const TOTAL = 2000;
const seqsOf = (items: StoredMessage[]) => items.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('data service: history pagination', function () {
  this.timeout(60000);
  let h: Harness;
  let group: Group;
  let empty: Group;
  before(async () => {
    h = await startHarness('pagination');
    await createUser(h.api, '4001');
    group = await createGroup(h.api, 'long history', ['4001']);
    empty = await createGroup(h.api, 'quiet', ['4001']);
    await storeMany(h.api, group.id, '4001', TOTAL);
  });
  after(async () => { await h?.close(); });

  it('walks forward with after= from the start, each message once, in order', async () => {
    const seen: StoredMessage[] = [];
    let after = 0;
    let hasMore = true;
    while (hasMore) {
      const res = await h.api.get(`/group/${group.id}/messages?after=${after}&limit=100`);
      assertMatchesSpec('get', '/group/{id}/messages', res);
      seen.push(...res.body.items);
      hasMore = res.body.hasMore;
      if (res.body.items.length > 0) after = res.body.items[res.body.items.length - 1].seq;
      assert.ok(seen.length <= TOTAL, 'no endless walk');
    }
    assert.deepEqual(seqsOf(seen), range(1, TOTAL));
    assert.deepEqual(seen.map((m) => m.message).sort(), range(0, TOTAL - 1).map((n) => `m${n}`).sort());
    const end = await h.api.get(`/group/${group.id}/messages?after=${TOTAL}`);
    assert.deepEqual(end.body, { items: [], hasMore: false });
  });

  it('walks backward with before= from the newest page, each message once', async () => {
    const newest = await h.api.get(`/group/${group.id}/messages?limit=100`);
    assertMatchesSpec('get', '/group/{id}/messages', newest);
    assert.deepEqual(seqsOf(newest.body.items), range(TOTAL - 99, TOTAL));
    assert.equal(newest.body.hasMore, true);
    const pages: StoredMessage[][] = [newest.body.items];
    let hasMore = true;
    while (hasMore) {
      const before = (pages[0] as StoredMessage[])[0]?.seq;
      const res = await h.api.get(`/group/${group.id}/messages?before=${before}&limit=100`);
      pages.unshift(res.body.items);
      hasMore = res.body.hasMore;
      assert.ok(pages.length <= TOTAL / 100, 'no endless walk');
    }
    assert.deepEqual(seqsOf(pages.flat()), range(1, TOTAL));
  });

  it('offset pages (page 0 = newest) agree with the cursor pages', async () => {
    const perPage = 100;
    const pages: StoredMessage[][] = [];
    for (let page = 0; page < TOTAL / perPage; page += 1) {
      const res = await h.api.get(`/group/messages?groupID=${group.id}&page=${page}&perPage=${perPage}`);
      assertMatchesSpec('get', '/group/messages', res);
      assert.equal(res.body.total, TOTAL);
      assert.equal(res.body.page, page);
      const high = TOTAL - page * perPage;
      assert.deepEqual(seqsOf(res.body.items), range(high - perPage + 1, high));
      if (page === 3) {
        const cursor = await h.api.get(`/group/${group.id}/messages?before=${high + 1}&limit=${perPage}`);
        assert.deepEqual(cursor.body.items, res.body.items);
      }
      pages.unshift(res.body.items);
    }
    assert.deepEqual(seqsOf(pages.flat()), range(1, TOTAL));
    const beyond = await h.api.get(`/group/messages?groupID=${group.id}&page=${TOTAL}&perPage=${perPage}`);
    assert.deepEqual(beyond.body.items, []);
    assert.equal(beyond.body.total, TOTAL);
  });

  it('a last offset page shorter than perPage holds the oldest messages', async () => {
    const res = await h.api.get(`/group/messages?groupID=${group.id}&page=2&perPage=90`);
    assert.deepEqual(seqsOf(res.body.items), range(TOTAL - 269, TOTAL - 180));
    const last = await h.api.get(`/group/messages?groupID=${group.id}&page=22&perPage=90`);
    assert.deepEqual(seqsOf(last.body.items), range(1, 20));
    const defaults = await h.api.get(`/group/messages?groupID=${group.id}`);
    assert.equal(defaults.body.perPage, 50);
    assert.deepEqual(seqsOf(defaults.body.items), range(TOTAL - 49, TOTAL));
  });

  it('pages an empty group as empty', async () => {
    const offset = await h.api.get(`/group/messages?groupID=${empty.id}`);
    assert.deepEqual(offset.body, {
      items: [], page: 0, perPage: 50, total: 0,
    });
    const cursor = await h.api.get(`/group/${empty.id}/messages`);
    assert.deepEqual(cursor.body, { items: [], hasMore: false });
  });

  it('refuses bad cursors and pages with 400, unknown groups with 404', async () => {
    const cursorCases = ['limit=0', 'limit=101', 'limit=ten', 'before=0', 'after=-1', 'before=5&after=1', 'before=1.5', 'extra=1'];
    for (const q of cursorCases) {
      const res = await h.api.get(`/group/${group.id}/messages?${q}`);
      assert.equal(res.status, 400, q);
      assertMatchesSpec('get', '/group/{id}/messages', res);
    }
    const offsetCases = ['', `groupID=${group.id}&perPage=101`, `groupID=${group.id}&page=-1`, 'groupID=abc'];
    for (const q of offsetCases) {
      const res = await h.api.get(`/group/messages?${q}`);
      assert.equal(res.status, 400, q);
      assertMatchesSpec('get', '/group/messages', res);
    }
    const missing = await h.api.get(`/group/messages?groupID=${ZERO_ID}`);
    assertMatchesSpec('get', '/group/messages', missing);
    assert.equal(missing.status, 404);
    const missingCursor = await h.api.get(`/group/${ZERO_ID}/messages`);
    assertMatchesSpec('get', '/group/{id}/messages', missingCursor);
    assert.equal(missingCursor.status, 404);
  });
});
