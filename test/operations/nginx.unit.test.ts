/**
 * The reverse proxy routes what the issue asks for, consistently with the compose files:
 * /chat/location and /docs to the dispatchers, each chat server's prefix (its PUBLIC_URL)
 * to that chat server with the prefix cut, sign-in to any chat server, the client's files
 * at /, and nothing internal (/metrics, /dispatcher/*) to anyone.
 */
import assert from 'node:assert/strict';
import { ERROR_STATUS } from '@chat/shared';
import type { ErrorBody } from '@chat/shared';
import type { ComposeService } from './support/compose';
import {
  COMPOSE_FILES, interpolate, loadCompose, servicesOf,
} from './support/compose';
import type { Route } from './support/nginx';
import {
  find, loadNginx, parseNginx, route, upstreams,
} from './support/nginx';

const conf = loadNginx();
const production = loadCompose('docker-compose.yml');
const chats = servicesOf(production, 'server');
const dispatchers = servicesOf(production, 'dispatcher');
const address = (s: ComposeService) => `${s.name}:${s.env.PORT}`;

function proxied(uri: string): Extract<Route, { kind: 'proxy' }> {
  const r = route(conf, uri);
  assert.equal(r.kind, 'proxy', `${uri} is not proxied`);
  return r as Extract<Route, { kind: 'proxy' }>;
}

describe('operations: nginx routes', function () {
  it('parses nested blocks, quoted strings and comments', function () {
    const parsed = parseNginx('a 1; # note\nb { c "x; {y}" \'z\'; }');
    assert.deepEqual(parsed, [
      { name: 'a', args: ['1'] },
      { name: 'b', args: [], block: [{ name: 'c', args: ['x; {y}', 'z'] }] },
    ]);
  });

  it('sends /chat/location and /docs to both dispatcher replicas', function () {
    ['/chat/location', '/chat/location?x=1', '/docs', '/docs/', '/docs/swagger.json'].forEach((uri) => {
      const r = proxied(uri);
      assert.deepEqual([...r.servers].sort(), dispatchers.map(address).sort(), uri);
      assert.equal(r.path, uri);
    });
  });

  chats.forEach((chat) => {
    const id = chat.env.SERVER_ID as string;
    it(`sends ${id}'s PUBLIC_URL prefix (Socket.IO, /chat, /auth) to ${chat.name} only, prefix cut`, function () {
      const prefix = new URL(interpolate(chat.env.PUBLIC_URL ?? '')).pathname;
      assert.equal(prefix, `/s/${id}`, 'PUBLIC_URL path');
      const cases: Array<[string, string]> = [
        [`${prefix}/socket.io/?EIO=4&transport=websocket`, '/socket.io/?EIO=4&transport=websocket'],
        [`${prefix}/chat/groups/a%2Fb/members?x=1`, '/chat/groups/a%2Fb/members?x=1'],
        [`${prefix}/auth/login`, '/auth/login'],
      ];
      cases.forEach(([uri, expected]) => {
        const r = proxied(uri);
        assert.equal(r.upstream, id, uri);
        assert.deepEqual(r.servers, [address(chat)], uri);
        assert.equal(r.path, expected, uri);
      });
    });
  });

  it('has no route for a chat server id that no upstream names', function () {
    const r = proxied('/s/chat-99/chat/groups');
    assert.ok(!upstreams(conf).has(r.upstream));
  });

  it('sends sign-in and the chat REST routes without a prefix to any chat server', function () {
    ['/auth/register', '/chat/groups', '/chat/message?perPage=5'].forEach((uri) => {
      const r = proxied(uri);
      assert.deepEqual([...r.servers].sort(), chats.map(address).sort(), uri);
      assert.equal(r.path, uri);
    });
  });

  it('serves the client at / and its configuration at /config.js', function () {
    ['/', '/index.html', '/assets/app.js'].forEach((uri) => assert.equal(route(conf, uri).kind, 'static', uri));
    const config = route(conf, '/config.js');
    assert.equal(config.kind, 'return');
    if (config.kind === 'return') {
      assert.equal(config.status, 200);
      assert.match(config.body, /dispatcherUrl: window\.location\.origin/);
      assert.match(config.body, /apiUrl: window\.location\.origin/);
    }
  });

  it('proxies nothing internal: metrics, readiness, the dispatcher registry', function () {
    ['/metrics', '/ready', '/dispatcher/servers', '/s/chat-1/metrics', '/s/chat-1/ready', '/s/chat-1/docs/']
      .forEach((uri) => assert.notEqual(route(conf, uri).kind, 'proxy', uri));
  });

  it('answers the errors it makes itself in the shared error shape, with the matching status', function () {
    const server = find(conf, 'server')[0]?.block ?? [];
    const named = new Map(find(server, 'location').filter((l) => l.args[0]?.startsWith('@')).map((l) => [l.args[0], l]));
    const pages = find(server, 'error_page');
    [[413, 'PAYLOAD_TOO_LARGE'], [502, 'UNAVAILABLE'], [504, 'UNAVAILABLE']].forEach(([status, code]) => {
      const page = pages.find((p) => p.args.includes(String(status)));
      assert.ok(page, `no error_page for ${status}`);
      const target = named.get(page.args[page.args.length - 1]);
      const ret = find(target?.block ?? [], 'return')[0];
      assert.ok(ret, `error_page ${status} leads nowhere`);
      const body = JSON.parse(ret.args[1] ?? '') as ErrorBody;
      assert.equal(body.error.code, code);
      assert.equal(ERROR_STATUS[body.error.code], Number(ret.args[0]));
      const override = page.args.find((a) => a.startsWith('='));
      assert.equal(Number(override ? override.slice(1) : status), Number(ret.args[0]), `${status} keeps the wrong status`);
    });
  });

  it('answers its own healthcheck and passes WebSocket upgrades and the client address on', function () {
    const health = route(conf, '/healthz');
    assert.equal(health.kind, 'return');
    const server = find(conf, 'server')[0]?.block ?? [];
    const headers = Object.fromEntries(find(server, 'proxy_set_header').map((d) => [d.args[0], d.args[1]]));
    assert.equal(headers.Upgrade, '$http_upgrade');
    assert.equal(headers.Connection, '$connection_upgrade');
    assert.equal(headers['X-Forwarded-For'], '$proxy_add_x_forwarded_for');
    assert.equal(find(server, 'proxy_http_version')[0]?.args[0], '1.1');
  });

  it('resolves every upstream at run time, so nginx starts while a backend is down', function () {
    assert.ok(find(conf, 'resolver').length === 1);
    upstreams(conf).forEach((u) => u.options.forEach((o) => assert.ok(o.includes('resolve'), `${u.name} ${o.join(' ')}`)));
    find(conf, 'upstream').forEach((u) => assert.ok(find(u.block ?? [], 'zone').length === 1, `${u.args[0]} has no zone`));
  });

  COMPOSE_FILES.forEach((file) => {
    it(`matches ${file}: one upstream per chat server id, and nginx loads this config`, function () {
      const compose = loadCompose(file);
      const fileChats = servicesOf(compose, 'server');
      const known = upstreams(conf);
      fileChats.forEach((chat) => {
        assert.deepEqual(known.get(chat.env.SERVER_ID as string)?.servers, [address(chat)], chat.name);
      });
      const nginx = compose.services.get('nginx');
      assert.ok(nginx);
      const mounted = nginx.volumes.some((v) => v.startsWith('./deploy/nginx/chat.conf:/etc/nginx/conf.d/default.conf'));
      assert.ok(mounted || nginx.build?.dockerfile === 'deploy/nginx/Dockerfile', 'nginx does not use deploy/nginx/chat.conf');
    });
  });
});
