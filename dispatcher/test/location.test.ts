/**
 * `GET /chat/location` and the operations routes, on a dispatcher without
 * Redis (the in-memory store, one replica): who gets in, where they are sent,
 * and what a browser on another origin may do.
 */
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { placeUser } from '@chat/shared';
import type { PlacementMap } from '@chat/shared';
// The root package's test support has no package name to import it by.
// eslint-disable-next-line import/no-relative-packages
import { assertMatchesSpec as assertSpec } from '../../test/support/openapi';
import {
  FakeChatServer, JWT_SECRET, call, currentMap, eventually, locate, removeLogDirs, startTestDispatcher, userToken,
} from './support';
import type { TestDispatcher } from './support';

const withBearer = (token: string) => ({ token: null, headers: { authorization: `Bearer ${token}` } });

describe('dispatcher GET /chat/location (in-memory store)', () => {
  let dispatcher: TestDispatcher;
  const servers: FakeChatServer[] = [];

  before(async () => { dispatcher = await startTestDispatcher(null); });
  after(async () => {
    servers.forEach((s) => s.stopBeating());
    await dispatcher.close();
    removeLogDirs();
  });

  it('answers 503 UNAVAILABLE while no chat server is alive', async () => {
    const res = await locate(dispatcher.url, '201903');
    assert.equal(res.status, 503);
    assert.equal((res.body as { error: { code: string } }).error.code, 'UNAVAILABLE');
    assertSpec('GET', '/chat/location', res);
  });

  it('refuses missing, forged, expired, alg-none and malformed tokens with 401', async () => {
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${
      Buffer.from(JSON.stringify({ sub: '201903', username: 'x' })).toString('base64url')}.`;
    const cases: [string, { token: null; headers?: Record<string, string> }][] = [
      ['missing', { token: null }],
      ['not bearer', { token: null, headers: { authorization: `Basic ${userToken('201903')}` } }],
      ['forged', withBearer(userToken('201903', {}, 'another-secret-of-enough-length'))],
      ['expired', withBearer(jwt.sign({ username: 'x', exp: Math.floor(Date.now() / 1000) - 10 }, JWT_SECRET, { subject: '201903' }))],
      ['alg none', withBearer(none)],
      ['HS512', withBearer(userToken('201903', { algorithm: 'HS512' }))],
      ['no subject', withBearer(jwt.sign({ username: 'x' }, JWT_SECRET, { algorithm: 'HS256' }))],
      ['garbage', withBearer('abc.def.ghi')],
    ];
    for (const [name, options] of cases) {
      const res = await call(dispatcher.url, 'GET', '/chat/location', options);
      assert.equal(res.status, 401, name);
      assert.equal((res.body as { error: { code: string } }).error.code, 'UNAUTHORIZED', name);
      assertSpec('GET', '/chat/location', res);
    }
  });

  it('sends each user to the server that owns their last digits, the same one every time', async () => {
    servers.push(new FakeChatServer(dispatcher.url, 'loc-a'), new FakeChatServer(dispatcher.url, 'loc-b'));
    for (const s of servers) await s.start();
    const map: PlacementMap = await currentMap(dispatcher.url);
    const ups = ['201903', '201904', '7', '0', '999999999', 'alice', 'bob-2'];
    for (const up of ups) {
      const first = await locate(dispatcher.url, up);
      assert.equal(first.status, 200, up);
      assertSpec('GET', '/chat/location', first);
      const expected = placeUser(map, up);
      assert.deepEqual(first.body, { url: expected?.url, serverId: expected?.serverId, mapVersion: map.version });
      assert.deepEqual((await locate(dispatcher.url, up)).body, first.body);
    }
    const owners = new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => placeUser(map, `2019${d}`)?.serverId));
    assert.equal(owners.size, 2, 'the last digits are shared between both servers');
  });

  it('lets browsers on allowed origins call it (CORS), and refuses others with 403', async () => {
    const allowed = await fetch(`${dispatcher.url}/chat/location`, {
      headers: { origin: 'http://localhost:5173', authorization: `Bearer ${userToken('201903')}` },
    });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    const preflight = await fetch(`${dispatcher.url}/chat/location`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:8080', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8080');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/i);
    const foreign = await fetch(`${dispatcher.url}/chat/location`, {
      headers: { origin: 'http://evil.example', authorization: `Bearer ${userToken('201903')}` },
    });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    assert.equal(foreign.status, 403, 'a foreign page is refused, not only kept from reading the answer');
    assert.equal(((await foreign.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
  });

  it('declares a silent server dead without Redis too', async () => {
    const [a] = servers;
    assert.ok(a);
    a.stopBeating();
    const map = await eventually(async () => {
      const m = await currentMap(dispatcher.url);
      assert.equal(m.servers['loc-a'], undefined);
      return m;
    }, 6000);
    assert.deepEqual(new Set(Object.values(map.leaves)), new Set(['loc-b']));
  });

  it('serves health, readiness, metrics and the API docs', async () => {
    const health = await call(dispatcher.url, 'GET', '/health', { token: null });
    assert.deepEqual(health.body, { status: 'ok', service: 'dispatcher' });
    assertSpec('GET', '/health', health);
    const ready = await call(dispatcher.url, 'GET', '/ready', { token: null });
    assert.deepEqual(ready, { status: 200, body: { status: 'ready', checks: { redis: 'disabled' } } });
    assertSpec('GET', '/ready', ready);
    const metrics = await (await fetch(`${dispatcher.url}/metrics`)).text();
    assert.match(metrics, /dispatcher_map_version\{[^}]*\} [1-9]/);
    assert.match(metrics, /dispatcher_leader\{[^}]*\} 1/);
    assert.match(metrics, /dispatcher_map_changes_total\{type="join"/);
    assert.match(metrics, /http_request_duration_seconds_count\{[^}]*route="\/chat\/location"/);
    const docs = await fetch(`${dispatcher.url}/docs/swagger.json`);
    const doc = await docs.json() as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/chat/location'] && doc.paths['/dispatcher/servers/{id}/heartbeat']);
    assert.equal((await fetch(`${dispatcher.url}/docs/`)).status, 200);
    const unknown = await call(dispatcher.url, 'GET', '/nope', { token: null });
    assert.equal(unknown.status, 404);
  });
});
