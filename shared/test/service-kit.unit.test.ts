/**
 * The service kit on its own: one error mapping (a malformed percent-escape is
 * a 400, not a 500), the security headers, health and readiness, IPv6-safe
 * URLs, the bounded close, the JSON client and the TTL set.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import express from 'express';
import request from 'supertest';
import {
  AppError, closeServer, createJsonClient, createMetrics, createServiceApp, jsonBody, listen, localUrl,
  silentLogger, TtlSet,
} from '../src';
import type { Check } from '../src';

const passThrough: express.RequestHandler = (_req, _res, next) => next();

function kitApp(checks: Record<string, () => Promise<Check>> = {}, isClosing = () => false) {
  return createServiceApp({
    logger: silentLogger(),
    requests: passThrough,
    metrics: createMetrics('kit-test'),
    health: { service: 'kit-test', checks, isClosing },
    routes: (app) => {
      app.use(jsonBody('1kb'));
      app.get('/chat/:group', (req, res) => { res.json({ group: req.params.group }); });
      app.get('/slow', (_req, res) => { setTimeout(() => res.json({ done: true }), 100); });
    },
  });
}

describe('service kit', () => {
  describe('error mapping', () => {
    it('answers a malformed percent-escape in the path with 400 VALIDATION_FAILED', async () => {
      const res = await request(kitApp()).get('/chat/%E0%A4%A');
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { error: { code: 'VALIDATION_FAILED', message: 'the URL is not valid' } });
    });

    it('still decodes a valid escape, and answers an unknown route 404', async () => {
      assert.deepEqual((await request(kitApp()).get('/chat/%E0%A4%A4')).body, { group: '\u0924' });
      assert.equal((await request(kitApp()).get('/nowhere')).body.error.code, 'NOT_FOUND');
    });
  });

  describe('security headers', () => {
    it('sends helmet\'s headers with a policy swagger-ui can run under', async () => {
      const res = await request(kitApp()).get('/health');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-powered-by'], undefined);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /style-src 'self' https: 'unsafe-inline'/);
      assert.match(csp, /img-src 'self' data:/);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'the services speak plain HTTP on localhost');
    });
  });

  describe('health and readiness', () => {
    it('is ready when no dependency is down, and says which one is', async () => {
      let redis: Check = 'ok';
      const app = kitApp({ redis: async () => redis, other: async () => 'disabled' });
      assert.deepEqual((await request(app).get('/health')).body, { status: 'ok', service: 'kit-test' });
      const ready = await request(app).get('/ready');
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.body, { status: 'ready', checks: { redis: 'ok', other: 'disabled' } });
      redis = 'down';
      const down = await request(app).get('/ready');
      assert.equal(down.status, 503);
      assert.deepEqual(down.body, { status: 'unavailable', checks: { redis: 'down', other: 'disabled' } });
    });

    it('counts a probe that throws as down, and a closing service as not ready', async () => {
      const throwing = await request(kitApp({ db: () => Promise.reject(new Error('gone')) })).get('/ready');
      assert.deepEqual(throwing.body.checks, { db: 'down' });
      assert.equal((await request(kitApp({}, () => true)).get('/ready')).status, 503);
    });
  });

  describe('listen and close', () => {
    it('writes URLs a caller can use, IPv6 in brackets and wildcards as loopback', () => {
      assert.equal(localUrl('0.0.0.0', 80), 'http://127.0.0.1:80');
      assert.equal(localUrl('::', 80), 'http://127.0.0.1:80');
      assert.equal(localUrl('::1', 4000), 'http://[::1]:4000');
      assert.equal(localUrl('127.0.0.1', 3000), 'http://127.0.0.1:3000');
    });

    it('lets a request in flight finish, then closes', async () => {
      const server = http.createServer(kitApp());
      const port = await listen(server, 0, '127.0.0.1');
      const answer = fetch(`${localUrl('127.0.0.1', port)}/slow`).then((res) => res.json());
      await new Promise((resolve) => { setTimeout(resolve, 20); });
      await closeServer(server, 5000);
      assert.deepEqual(await answer, { done: true });
      assert.equal(server.listening, false);
    });
  });

  describe('JSON client', () => {
    let server: http.Server;
    let baseUrl: string;
    before(async () => {
      const app = express();
      app.use(express.json());
      app.all('/echo', (req, res) => {
        res.status(Number(req.query.status ?? 200)).json({
          method: req.method, token: req.get('x-internal-token'), body: req.body as unknown, q: req.query.q,
        });
      });
      app.get('/text', (_req, res) => { res.type('text').send('not json'); });
      server = http.createServer(app);
      baseUrl = localUrl('127.0.0.1', await listen(server, 0, '127.0.0.1'));
    });
    after(() => closeServer(server, 100));

    it('sends the internal token and a JSON body, and reads the JSON answer', async () => {
      const call = createJsonClient({
        baseUrl: `${baseUrl}/`, internalToken: 'secret', name: 'test service', timeoutMs: 2000,
      });
      const reply = await call('POST', '/echo', { body: { a: 1 }, query: { q: 'x y', skipped: undefined } });
      assert.equal(reply.ok, true);
      assert.deepEqual(reply.body, {
        method: 'POST', token: 'secret', body: { a: 1 }, q: 'x y',
      });
      const refused = await call('GET', '/echo', { query: { status: 409 } });
      assert.equal(refused.status, 409);
      assert.equal(refused.ok, false);
      assert.equal((await call('GET', '/text')).body, undefined, 'an answer that is not JSON reads as undefined');
    });

    it('reports an unreachable service as UNAVAILABLE, naming it', async () => {
      const closed = http.createServer();
      const port = await listen(closed, 0, '127.0.0.1');
      await closeServer(closed, 100);
      const call = createJsonClient({
        baseUrl: localUrl('127.0.0.1', port), internalToken: 't', name: 'test service', timeoutMs: 2000,
      });
      await assert.rejects(call('GET', '/'), (err: unknown) => err instanceof AppError
        && err.code === 'UNAVAILABLE' && /the test service is unreachable/.test(err.message));
    });
  });

  describe('TTL set', () => {
    it('forgets a key once its time is up', async () => {
      const set = new TtlSet(30);
      set.add('a');
      assert.equal(set.has('a'), true);
      await new Promise((resolve) => { setTimeout(resolve, 40); });
      assert.equal(set.has('a'), false);
      assert.equal(set.size, 0, 'an expired key is dropped when looked at');
    });

    it('drops the least recently added key past its size, and forgets what a rule names', () => {
      const set = new TtlSet(60000, 2);
      set.add('g1|a');
      set.add('g2|b');
      set.add('g1|a');
      set.add('g1|c');
      assert.deepEqual(['g1|a', 'g2|b', 'g1|c'].map((k) => set.has(k)), [true, false, true]);
      set.deleteWhere((k) => k.startsWith('g1|'));
      assert.equal(set.size, 0);
    });
  });
});
