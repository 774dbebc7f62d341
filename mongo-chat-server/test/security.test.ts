/**
 * Only backend services get in (internal token), request values are data and
 * never operators, and no password or hash leaves the service or reaches a log.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Group } from '@chat/shared';
import {
  assertMatchesSpec, call, createGroup, createUser, PASSWORD, readLogs, startHarness, ZERO_ID,
} from './helpers';
import type { Harness, Method } from './helpers';

describe('data service: security', function () {
  let h: Harness;
  let group: Group;
  before(async () => {
    h = await startHarness('security');
    await createUser(h.api, '5001', 'eve');
    await createUser(h.api, '5002', 'mallory');
    group = await createGroup(h.api, 'private', ['5001']);
  });
  after(async () => { await h?.close(); });

  describe('internal token', () => {
    const routes: Array<[Method, string, string]> = [
      ['get', '/user', '/user'],
      ['post', '/user', '/user'],
      ['post', '/user/login', '/user/login'],
      ['get', '/user/5001', '/user/{up}'],
      ['post', '/user/5001', '/user/{up}'],
      ['get', '/group', '/group'],
      ['post', '/group', '/group'],
      ['get', '/group/messages?groupID=GROUP', '/group/messages'],
      ['get', '/group/user/5001', '/group/user/{up}'],
      ['get', '/group/GROUP', '/group/{id}'],
      ['patch', '/group/GROUP', '/group/{id}'],
      ['delete', '/group/GROUP', '/group/{id}'],
      ['post', '/group/GROUP/members', '/group/{id}/members'],
      ['get', '/group/GROUP/members/5001', '/group/{id}/members/{up}'],
      ['delete', '/group/GROUP/members/5001', '/group/{id}/members/{up}'],
      ['put', '/group/GROUP/members/5001/role', '/group/{id}/members/{up}/role'],
      ['post', '/group/GROUP/owner', '/group/{id}/owner'],
      ['put', '/group/GROUP/read/5001', '/group/{id}/read/{up}'],
      ['get', '/group/GROUP/messages', '/group/{id}/messages'],
      ['get', '/message', '/message'],
      ['post', '/message', '/message'],
      ['post', '/message/batch', '/message/batch'],
      ['get', `/message/${ZERO_ID}`, '/message/{id}'],
    ];

    it('answers 401 on every route without the token or with a wrong one, changing nothing', async () => {
      const before = await h.counts();
      for (const [method, rawPath, template] of routes) {
        const p = rawPath.replace('GROUP', group.id);
        const body = { name: 'x', users: ['5001'], seq: 0 };
        const noToken = await call(h.url, undefined, method, p, body);
        assert.equal(noToken.status, 401, `${method} ${p} without a token`);
        assertMatchesSpec(method, template, noToken);
        const wrongToken = await call(h.url, 'not-the-token', method, p, body);
        assert.equal(wrongToken.status, 401, `${method} ${p} with a wrong token`);
        assert.equal(wrongToken.body.error.code, 'UNAUTHORIZED');
      }
      assert.deepEqual(await h.counts(), before);
      assert.equal((await h.api.get(`/group/${group.id}`)).body.name, 'private');
    });

    it('leaves /health, /ready, /metrics and /docs open', async () => {
      const agent = request(h.url);
      assert.deepEqual((await agent.get('/health')).body, { status: 'ok', service: 'mongo-chat-server' });
      assert.equal((await agent.get('/ready')).status, 200);
      assert.equal((await agent.get('/metrics')).status, 200);
      assert.equal((await agent.get('/docs/swagger.json')).status, 200);
    });
  });

  describe('operator injection', () => {
    it('refuses operator objects in login, registration, updates and message bodies', async () => {
      const before = await h.counts();
      const attempts: Array<[Method, string, object]> = [
        ['post', '/user/login', { username: { $gt: '' }, password: { $gt: '' } }],
        ['post', '/user/login', { up: { $gt: '' }, password: PASSWORD }],
        ['post', '/user/login', { username: 'eve', password: { $ne: 'x' } }],
        ['post', '/user', {
          up: { $gt: '' }, username: 'x', name: 'x', password: PASSWORD,
        }],
        ['post', '/user/5001', { $set: { username: 'pwned' } }],
        ['post', '/user/5001', { username: { $gt: '' } }],
        ['post', '/message', { group: { $gt: '' }, from: '5001', message: 'x' }],
        ['post', '/message', { group: group.id, from: { $ne: 'x' }, message: 'x' }],
        ['post', '/message', {
          group: group.id, from: '5001', message: 'x', $where: 'sleep(1000)',
        }],
        ['post', '/group', { name: 'x', users: [{ $gt: '' }] }],
        ['post', '/user/login', { $where: 'return true', password: PASSWORD }],
        ['put', `/group/${group.id}/read/5001`, { seq: { $gt: 0 } }],
      ];
      for (const [method, p, body] of attempts) {
        const res = await h.api.call(method, p, body);
        assert.equal(res.status, 400, `${method} ${p} ${JSON.stringify(body)}`);
      }
      assert.deepEqual(await h.counts(), before);
      assert.equal((await h.api.get('/user/5001')).body.username, 'eve');
    });

    it('refuses operator-shaped query strings', async () => {
      const queries = [
        '/group/messages?groupID[$ne]=x',
        '/group/messages?groupID[$gt]=',
        `/group/messages?groupID=${group.id}&page[$gt]=0`,
        '/user?ups[$ne]=1',
        '/user?page[$where]=1',
        `/group/${group.id}/messages?before[$gt]=0`,
      ];
      for (const q of queries) {
        const res = await h.api.get(q);
        assert.equal(res.status, 400, q);
      }
    });

    it('treats operator-looking text as plain text', async () => {
      const login = await h.api.post('/user/login', { username: '{"$gt":""}', password: '{"$gt":""}' });
      assert.equal(login.status, 401);
      const res = await h.api.post('/message', { group: group.id, from: '5001', message: '{"$where": "sleep(1000)"}' });
      assert.equal(res.status, 201);
      assert.equal(res.body.message, '{"$where": "sleep(1000)"}');
    });
  });

  describe('request hygiene', () => {
    it('answers an oversized body with 413 and malformed JSON with 400', async () => {
      const big = await h.api.post('/message', { group: group.id, from: '5001', message: 'x'.repeat(70 * 1024) });
      assertMatchesSpec('post', '/message', big);
      assert.equal(big.status, 413);
      assert.equal(big.body.error.code, 'PAYLOAD_TOO_LARGE');
      const broken = await request(h.url).post('/message').set('x-internal-token', 'test-internal-token')
        .set('content-type', 'application/json')
        .send('{"group": ');
      assertMatchesSpec('post', '/message', broken);
      assert.equal(broken.status, 400);
      const unknown = await h.api.get('/nowhere');
      assert.equal(unknown.status, 404);
      assert.deepEqual(Object.keys(unknown.body), ['error']);
    });

    it('never shows a password or hash in a response or a log line', async () => {
      const secret = 'S3cret-Password-Never-Shown';
      const made = await h.api.post('/user', {
        up: '5003', username: 'trent', name: 'Trent', password: secret,
      });
      const texts = [
        made.text,
        (await h.api.post('/user/login', { up: '5003', password: secret })).text,
        (await h.api.post('/user/login', { up: '5003', password: `${secret}x` })).text,
        (await h.api.get('/user/5003')).text,
        (await h.api.get('/user?perPage=100')).text,
        (await h.api.get('/user?ups=5003')).text,
        (await h.api.post('/user/5003', { online: true })).text,
        (await h.api.post('/user', {
          up: '5003', username: 'trent2', name: 'T', password: secret,
        })).text,
      ];
      const stored = await h.db.collection('users').findOne({ _id: '5003' as never });
      const hash = String(stored?.passwordHash);
      assert.match(hash, /^\$argon2id\$/);
      const logs = readLogs(h.logDir);
      assert.ok(logs.includes('/user/login'), 'the requests were logged');
      for (const text of [...texts, logs]) {
        assert.ok(!text.includes(secret), 'password leaked');
        assert.ok(!text.includes(hash), 'hash leaked');
        assert.ok(!/\$argon2|passwordHash/.test(text), 'hash-shaped text leaked');
      }
    });
  });
});
