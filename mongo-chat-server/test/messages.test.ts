import assert from 'node:assert/strict';
import type { Group, StoredMessage } from '@chat/shared';
import { startDataService } from '../src/service';
import {
  apiFor, assertMatchesSpec, createGroup, createUser, postMessage, startHarness, testConfig, ZERO_ID,
} from './helpers';
import type { Harness } from './helpers';

describe('data service: messages', function () {
  let h: Harness;
  let group: Group;
  let other: Group;
  before(async () => {
    h = await startHarness('messages');
    for (const up of ['2001', '2002', '2003']) await createUser(h.api, up);
    group = await createGroup(h.api, 'chat', ['2001', '2002']);
    other = await createGroup(h.api, 'other', ['2003']);
  });
  after(async () => { await h?.close(); });

  describe('POST /message', () => {
    it('stores a message with the next seq and answers 201', async () => {
      const res = await h.api.post('/message', { group: group.id, from: '2001', message: 'first' });
      assertMatchesSpec('post', '/message', res);
      assert.equal(res.status, 201);
      assert.equal(res.body.seq, 1);
      assert.equal(res.body.group, group.id);
      assert.equal(res.body.from, '2001');
      assert.equal(res.body.message, 'first');
      assert.ok(res.body.clientId.length > 0, 'a clientId is generated');
      const second = await postMessage(h.api, group.id, '2002', 'second');
      assert.equal(second.seq, 2);
      assert.equal((await h.api.get(`/group/${group.id}`)).body.lastSeq, 2);
    });

    it('answers a retried clientId with the first message (200), storing one copy', async () => {
      const first = await h.api.post('/message', {
        group: group.id, from: '2001', message: 'once', clientId: 'retry-1',
      });
      assert.equal(first.status, 201);
      const retry = await h.api.post('/message', {
        group: group.id, from: '2001', message: 'once (resent)', clientId: 'retry-1',
      });
      assertMatchesSpec('post', '/message', retry);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.body, first.body);
      const stored = await h.db.collection('messages').countDocuments({ clientId: 'retry-1' });
      assert.equal(stored, 1);
      const next = await postMessage(h.api, group.id, '2001', 'after the retry');
      assert.equal(next.seq, first.body.seq + 1, 'a retry takes no seq');
    });

    it('stores one copy when the same clientId arrives several times at once', async () => {
      const sends = await Promise.all(Array.from({ length: 5 }, () => h.api.post('/message', {
        group: group.id, from: '2002', message: 'burst', clientId: 'burst-1',
      })));
      assert.deepEqual(sends.map((r) => r.status).sort(), [200, 200, 200, 200, 201]);
      assert.equal(new Set(sends.map((r) => r.body.id)).size, 1);
      assert.equal(await h.db.collection('messages').countDocuments({ clientId: 'burst-1' }), 1);
    });

    it('refuses a clientId another sender already used in the group (409)', async () => {
      await postMessage(h.api, group.id, '2001', 'mine', 'shared-id');
      const res = await h.api.post('/message', {
        group: group.id, from: '2002', message: 'theirs', clientId: 'shared-id',
      });
      assertMatchesSpec('post', '/message', res);
      assert.equal(res.status, 409);
    });

    it('refuses non-members (403), unknown groups (404) and invalid messages (400)', async () => {
      const before = await h.counts();
      const notMember = await h.api.post('/message', { group: group.id, from: '2003', message: 'hi' });
      assertMatchesSpec('post', '/message', notMember);
      assert.equal(notMember.status, 403);
      assert.equal(notMember.body.error.code, 'FORBIDDEN');
      const noGroup = await h.api.post('/message', { group: ZERO_ID, from: '2001', message: 'hi' });
      assertMatchesSpec('post', '/message', noGroup);
      assert.equal(noGroup.status, 404);
      const invalid: object[] = [
        { group: 'nope', from: '2001', message: 'hi' },
        { group: group.id, from: '2001', message: '' },
        { group: group.id, from: '2001', message: 'x'.repeat(4001) },
        {
          group: group.id, from: '2001', message: 'hi', clientId: '',
        },
        {
          group: group.id, from: '2001', message: 'hi', clientId: 'c'.repeat(65),
        },
        { group: group.id, from: '2001', message: 42 },
        { group: group.id, message: 'hi' },
        {
          group: group.id, from: '2001', message: 'hi', seq: 99,
        },
      ];
      for (const body of invalid) {
        const res = await h.api.post('/message', body);
        assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
        assertMatchesSpec('post', '/message', res);
      }
      assert.deepEqual(await h.counts(), before);
    });

    it('refuses a member removed a moment after sending (the membership check is not served stale)', async () => {
      const temp = await createGroup(h.api, 'brief', ['2001', '2002']);
      await postMessage(h.api, temp.id, '2002', 'still here');
      assert.equal((await h.api.delete(`/group/${temp.id}/members/2002`)).status, 200);
      const after = await h.api.post('/message', { group: temp.id, from: '2002', message: 'gone?' });
      assert.equal(after.status, 403);
      assert.equal((await h.api.delete(`/group/${temp.id}`)).status, 204);
      const deleted = await h.api.post('/message', { group: temp.id, from: '2001', message: 'anyone?' });
      assert.equal(deleted.status, 404);
    });

    it('refuses a member removed after a handshake looked up their groups', async () => {
      const temp = await createGroup(h.api, 'looked up', ['2001', '2002']);
      const ids = await h.api.get('/group/ids').query({ ups: '2002' });
      assert.ok((ids.body.items as { up: string; groups: string[] }[])[0]?.groups.includes(temp.id));
      assert.equal((await h.api.delete(`/group/${temp.id}/members/2002`)).status, 200);
      const after = await h.api.post('/message', { group: temp.id, from: '2002', message: 'gone?' });
      assert.equal(after.status, 403);
      assert.equal((await h.api.post('/message', { group: temp.id, from: '2001', message: 'here' })).status, 201);
    });

    it('refuses, within seconds, a member another replica removed while this one had them cached', async function () {
      this.timeout(30000);
      const temp = await createGroup(h.api, 'two replicas', ['2001', '2002']);
      const replica = await startDataService(testConfig(h.mongoUrl, h.logDir));
      try {
        await postMessage(h.api, temp.id, '2002', 'cached here'); // this replica now knows 2002 is a member
        assert.equal((await apiFor(replica.url).delete(`/group/${temp.id}/members/2002`)).status, 200);
        const removedAt = Date.now();
        let status = 201;
        while (status === 201) {
          status = (await h.api.post('/message', { group: temp.id, from: '2002', message: 'gone?' })).status;
          if (status === 201) await new Promise((resolve) => { setTimeout(resolve, 200); });
        }
        assert.equal(status, 403);
        const seconds = (Date.now() - removedAt) / 1000;
        assert.ok(seconds < 10, `refused after ${seconds} s; the member cache trusts a removal marker read 5 s ago at most`);
      } finally {
        await replica.close();
      }
    });

    it('accepts a message of exactly 4000 characters', async () => {
      const res = await h.api.post('/message', { group: group.id, from: '2001', message: 'x'.repeat(4000) });
      assert.equal(res.status, 201);
    });
  });

  describe('POST /message/batch', () => {
    it('stores each item on its own and answers in input order', async () => {
      const lastSeq = (await h.api.get(`/group/${group.id}`)).body.lastSeq as number;
      const res = await h.api.post('/message/batch', {
        messages: [
          {
            group: group.id, from: '2001', message: 'b1', clientId: 'batch-1',
          },
          { group: group.id, from: '2003', message: 'not a member' },
          { group: other.id, from: '2003', message: 'other group' },
          { group: group.id, from: '2002', message: '' },
          {
            group: group.id, from: '2001', message: 'b1 again', clientId: 'batch-1',
          },
          {
            group: group.id, from: '2001', message: 'once', clientId: 'retry-1',
          },
          { group: ZERO_ID, from: '2001', message: 'nowhere' },
          { group: group.id, from: '2002', message: 'b2' },
        ],
      });
      assertMatchesSpec('post', '/message/batch', res);
      assert.equal(res.status, 200);
      type Result = { ok: boolean; status?: number; message?: StoredMessage; error?: { code: string } };
      const results = res.body.results as Result[];
      assert.deepEqual(results.map((r) => (r.ok ? r.status : r.error?.code)), [
        201, 'FORBIDDEN', 201, 'VALIDATION_FAILED', 200, 200, 'NOT_FOUND', 201,
      ]);
      const [b1, , otherMsg, , b1Again, , , b2] = results;
      assert.equal(b1?.message?.seq, lastSeq + 1);
      assert.equal(b2?.message?.seq, lastSeq + 2);
      assert.deepEqual(b1Again?.message, b1?.message);
      assert.equal(otherMsg?.message?.seq, 1);
    });

    it('refuses a non-member in the middle of a batch without a gap in seq, and stores a member who reused their clientId', async () => {
      // The membership checks run beside the writer's work: a refusal comes after the send reached the writer.
      const lastSeq = (await h.api.get(`/group/${group.id}`)).body.lastSeq as number;
      const res = await h.api.post('/message/batch', {
        messages: [
          { group: group.id, from: '2001', message: 'before' },
          {
            group: group.id, from: '2003', message: 'intruder', clientId: 'shared-key',
          },
          {
            group: group.id, from: '2002', message: 'same key, a member', clientId: 'shared-key',
          },
          { group: group.id, from: '2001', message: 'after' },
        ],
      });
      assert.equal(res.status, 200);
      type Result = { ok: boolean; status?: number; message?: StoredMessage; error?: { code: string } };
      const results = res.body.results as Result[];
      assert.deepEqual(results.map((r) => (r.ok ? r.status : r.error?.code)), [201, 'FORBIDDEN', 201, 201]);
      assert.deepEqual(results.filter((r) => r.ok).map((r) => r.message?.seq), [lastSeq + 1, lastSeq + 2, lastSeq + 3]);
      assert.equal(results[2]?.message?.from, '2002');
      const revs = results.filter((r) => r.ok).map((r) => r.message?.rev ?? 0);
      assert.deepEqual(revs, [...revs].sort((a, b) => a - b), 'revisions follow the seqs');
      const history = await h.api.get(`/group/${group.id}/messages?after=${lastSeq}&limit=10`);
      assert.deepEqual(history.body.items.map((m: StoredMessage) => m.message), ['before', 'same key, a member', 'after']);
    });

    it('refuses an empty batch, a batch over 100 and a batch that is not a list', async () => {
      const item = { group: group.id, from: '2001', message: 'x' };
      for (const body of [{ messages: [] }, { messages: Array(101).fill(item) }, { messages: item }, {}]) {
        const res = await h.api.post('/message/batch', body);
        assertMatchesSpec('post', '/message/batch', res);
        assert.equal(res.status, 400);
      }
    });
  });

  describe('reading messages', () => {
    it('gets one message, 404 for an unknown id, 400 for a malformed one', async () => {
      const stored = await postMessage(h.api, group.id, '2002', 'find me');
      const res = await h.api.get(`/message/${stored.id}`);
      assertMatchesSpec('get', '/message/{id}', res);
      assert.deepEqual(res.body, stored);
      const missing = await h.api.get(`/message/${ZERO_ID}`);
      assertMatchesSpec('get', '/message/{id}', missing);
      assert.equal(missing.status, 404);
      const bad = await h.api.get('/message/xyz');
      assertMatchesSpec('get', '/message/{id}', bad);
      assert.equal(bad.status, 400);
    });

    it('lists all messages newest first, page by page', async () => {
      const newest = await postMessage(h.api, other.id, '2003', 'newest of all');
      const res = await h.api.get('/message?page=0&perPage=3');
      assertMatchesSpec('get', '/message', res);
      assert.equal(res.body.items.length, 3);
      assert.deepEqual(res.body.items[0], newest);
      const total = await h.db.collection('messages').countDocuments({});
      assert.equal(res.body.total, total);
      const ids: string[] = [];
      for (let page = 0; page * 10 < total; page += 1) {
        const p = await h.api.get(`/message?page=${page}&perPage=10`);
        ids.push(...p.body.items.map((m: StoredMessage) => m.id));
      }
      assert.equal(new Set(ids).size, total, 'every message once');
      assert.deepEqual(ids, [...ids].sort().reverse());
      const bad = await h.api.get('/message?perPage=0');
      assertMatchesSpec('get', '/message', bad);
      assert.equal(bad.status, 400);
    });
  });
});
