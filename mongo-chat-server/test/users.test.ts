import assert from 'node:assert/strict';
import {
  assertMatchesSpec, createUser, PASSWORD, startHarness,
} from './helpers';
import type { Harness } from './helpers';

describe('data service: users', function () {
  let h: Harness;
  before(async () => { h = await startHarness('users'); });
  after(async () => { await h?.close(); });

  describe('POST /user', () => {
    it('creates a user without ever returning the password or its hash', async () => {
      const res = await h.api.post('/user', {
        up: '201900001', username: 'ana', name: 'Ana Silva', password: PASSWORD,
      });
      assertMatchesSpec('post', '/user', res);
      assert.equal(res.status, 201);
      assert.deepEqual(
        { ...res.body, createdAt: undefined },
        {
          up: '201900001', username: 'ana', name: 'Ana Silva', online: false, lastSeen: null, createdAt: undefined,
        },
      );
      assert.ok(!res.text.includes(PASSWORD));
      assert.ok(!/argon2|hash/i.test(res.text));
      const stored = await h.db.collection('users').findOne({ _id: '201900001' as never });
      assert.match(String(stored?.passwordHash), /^\$argon2id\$/);
    });

    it('refuses a taken user number or username with 409', async () => {
      const sameUp = await h.api.post('/user', {
        up: '201900001', username: 'other', name: 'X', password: PASSWORD,
      });
      assertMatchesSpec('post', '/user', sameUp);
      assert.equal(sameUp.status, 409);
      assert.equal(sameUp.body.error.code, 'CONFLICT');
      assert.match(sameUp.body.error.message, /user number/);
      const sameName = await h.api.post('/user', {
        up: '201900099', username: 'ana', name: 'X', password: PASSWORD,
      });
      assert.equal(sameName.status, 409);
      assert.match(sameName.body.error.message, /username/);
    });

    it('validates every field and refuses unknown ones', async () => {
      const base = {
        up: '201900002', username: 'bruno', name: 'Bruno', password: PASSWORD,
      };
      const cases: Array<[string, object]> = [
        ['short password', { ...base, password: 'short' }],
        ['long password', { ...base, password: 'x'.repeat(129) }],
        ['bad up', { ...base, up: '12 34' }],
        ['long up', { ...base, up: '1'.repeat(33) }],
        ['bad username', { ...base, username: 'has space' }],
        ['empty name', { ...base, name: '   ' }],
        ['extra field', { ...base, admin: true }],
        ['missing field', { up: '201900002', username: 'bruno', name: 'Bruno' }],
      ];
      for (const [label, body] of cases) {
        const res = await h.api.post('/user', body);
        assert.equal(res.status, 400, label);
        assertMatchesSpec('post', '/user', res);
      }
      const missing = await h.api.get('/user/201900002');
      assert.equal(missing.status, 404);
    });
  });

  describe('POST /user/login', () => {
    it('accepts the right password by up or by username', async () => {
      const byUp = await h.api.post('/user/login', { up: '201900001', password: PASSWORD });
      assertMatchesSpec('post', '/user/login', byUp);
      assert.equal(byUp.status, 200);
      assert.equal(byUp.body.up, '201900001');
      const byName = await h.api.post('/user/login', { username: 'ana', password: PASSWORD });
      assert.equal(byName.status, 200);
      assert.equal(byName.body.username, 'ana');
      assert.ok(!byName.text.includes(PASSWORD));
    });

    it('answers a wrong password and an unknown user with the same 401', async () => {
      const wrong = await h.api.post('/user/login', { up: '201900001', password: 'not the password' });
      const unknown = await h.api.post('/user/login', { username: 'nobody', password: PASSWORD });
      assertMatchesSpec('post', '/user/login', wrong);
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.deepEqual(wrong.body, unknown.body);
    });

    it('needs exactly one of up or username', async () => {
      const both = await h.api.post('/user/login', { up: '201900001', username: 'ana', password: PASSWORD });
      const neither = await h.api.post('/user/login', { password: PASSWORD });
      assert.equal(both.status, 400);
      assert.equal(neither.status, 400);
      assertMatchesSpec('post', '/user/login', neither);
    });
  });

  describe('GET /user and GET /user/:up', () => {
    before(async () => {
      for (const up of ['201900010', '201900011', '201900012']) await createUser(h.api, up);
    });

    it('pages through users in user-number order', async () => {
      const first = await h.api.get('/user?page=0&perPage=2');
      assertMatchesSpec('get', '/user', first);
      assert.equal(first.status, 200);
      assert.equal(first.body.total, 4);
      assert.deepEqual(first.body.items.map((u: { up: string }) => u.up), ['201900001', '201900010']);
      const second = await h.api.get('/user?page=1&perPage=2');
      assert.deepEqual(second.body.items.map((u: { up: string }) => u.up), ['201900011', '201900012']);
      const beyond = await h.api.get('/user?page=5&perPage=2');
      assert.deepEqual(beyond.body.items, []);
      assert.ok(!/argon2|passwordHash/.test(first.text + second.text));
    });

    it('returns just the users asked for with ups', async () => {
      const res = await h.api.get('/user?ups=201900012,201900001,404404');
      assertMatchesSpec('get', '/user', res);
      assert.deepEqual(res.body.items.map((u: { up: string }) => u.up), ['201900001', '201900012']);
      assert.equal(res.body.total, 2);
    });

    it('refuses out-of-range or non-numeric paging with 400', async () => {
      for (const q of ['page=-1', 'page=abc', 'perPage=0', 'perPage=101', 'perPage=1e2', 'page=1&page=2', 'ups=', 'ups=a%20b']) {
        const res = await h.api.get(`/user?${q}`);
        assert.equal(res.status, 400, q);
        assertMatchesSpec('get', '/user', res);
      }
      const many = Array.from({ length: 101 }, (_, i) => String(i + 1)).join(',');
      assert.equal((await h.api.get(`/user?ups=${many}`)).status, 400);
    });

    it('gets one user, 404 for an unknown one, 400 for a malformed one', async () => {
      const res = await h.api.get('/user/201900010');
      assertMatchesSpec('get', '/user/{up}', res);
      assert.equal(res.body.up, '201900010');
      const missing = await h.api.get('/user/999');
      assertMatchesSpec('get', '/user/{up}', missing);
      assert.equal(missing.status, 404);
      const bad = await h.api.get('/user/a.b');
      assert.equal(bad.status, 400);
    });
  });

  describe('POST /user/:up (update)', () => {
    it('updates username and name', async () => {
      const res = await h.api.post('/user/201900010', { username: 'carla', name: 'Carla' });
      assertMatchesSpec('post', '/user/{up}', res);
      assert.equal(res.status, 200);
      assert.equal(res.body.username, 'carla');
      assert.equal(res.body.name, 'Carla');
      const login = await h.api.post('/user/login', { username: 'carla', password: PASSWORD });
      assert.equal(login.status, 200);
    });

    it('sets online and lastSeen', async () => {
      const before = Date.now();
      const on = await h.api.post('/user/201900011', { online: true });
      assert.equal(on.body.online, true);
      assert.ok(Date.parse(on.body.lastSeen) >= before - 1000);
      const off = await h.api.post('/user/201900011', { online: false });
      assertMatchesSpec('post', '/user/{up}', off);
      assert.equal(off.body.online, false);
      assert.ok(Date.parse(off.body.lastSeen) >= Date.parse(on.body.lastSeen));
      assert.equal((await h.api.get('/user/201900011')).body.online, false);
    });

    it('refuses a taken username (409), an unknown user (404) and an empty or bad update (400)', async () => {
      const taken = await h.api.post('/user/201900011', { username: 'ana' });
      assertMatchesSpec('post', '/user/{up}', taken);
      assert.equal(taken.status, 409);
      const unknown = await h.api.post('/user/999', { name: 'Nobody' });
      assertMatchesSpec('post', '/user/{up}', unknown);
      assert.equal(unknown.status, 404);
      assert.equal((await h.api.post('/user/201900011', {})).status, 400);
      assert.equal((await h.api.post('/user/201900011', { online: 'yes' })).status, 400);
      assert.equal((await h.api.post('/user/201900011', { password: 'newpassword1' })).status, 400);
      assert.equal((await h.api.get('/user/201900011')).body.username, 'user201900011');
    });
  });

  describe('POST /user/presence', () => {
    it('sets many users online and others offline in one call, skipping unknown users', async () => {
      const before = Date.now();
      const res = await h.api.post('/user/presence', {
        online: ['201900010', '201900011', '999999'], offline: ['201900012'],
      });
      assertMatchesSpec('post', '/user/presence', res);
      assert.equal(res.status, 200);
      assert.ok(Date.parse(res.body.lastSeen) >= before - 1000);
      const users = (await h.api.get('/user?ups=201900010,201900011,201900012')).body.items as
        { up: string; online: boolean; lastSeen: string }[];
      assert.deepEqual(users.map((u) => [u.up, u.online]), [['201900010', true], ['201900011', true], ['201900012', false]]);
      users.forEach((u) => assert.equal(u.lastSeen, res.body.lastSeen));
      assert.equal((await h.api.get('/user/999999')).status, 404, 'an unknown user is not created');
    });

    it('refuses an empty update, a user in both lists, bad numbers and too many users (400), changing nothing', async () => {
      const before = (await h.api.get('/user/201900010')).body;
      const many = Array.from({ length: 1001 }, (_, i) => String(300000000 + i));
      for (const body of [{}, { online: [] }, { online: ['201900010'], offline: ['201900010'] },
        { online: ['$gt'] }, { online: '201900010' }, { online: many }, { online: ['201900010'], extra: 1 }]) {
        const res = await h.api.post('/user/presence', body);
        assertMatchesSpec('post', '/user/presence', res);
        assert.equal(res.status, 400, JSON.stringify(body).slice(0, 60));
      }
      assert.deepEqual((await h.api.get('/user/201900010')).body, before);
    });
  });
});
