/** Configuration from the environment, health and readiness, metrics, docs and log files. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { loadConfig } from '../src/config';
import {
  createGroup, createUser, postMessage, startHarness,
} from './helpers';
import type { Harness } from './helpers';

describe('data service: configuration', () => {
  it('starts on a bare machine with defaults, and warns about the development token', () => {
    const { config, warnings } = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 3000);
    assert.equal(config.mongoUrl, 'mongodb://127.0.0.1:27017/chat');
    assert.equal(config.bodyLimit, '64kb');
    assert.equal(config.passwordHashMemoryKib, 19456);
    assert.equal(config.internalToken, 'dev-internal-token');
    assert.match(config.logDir ?? '', /logs[/\\]mongo-chat-server$/);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /INTERNAL_TOKEN/);
  });

  it('requires INTERNAL_TOKEN in production and names a bad variable', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /INTERNAL_TOKEN/);
    assert.equal(loadConfig({ NODE_ENV: 'production', INTERNAL_TOKEN: 's' }).warnings.length, 0);
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
    assert.throws(() => loadConfig({ MONGO_URL: 'http://x' }), /MONGO_URL/);
    assert.throws(() => loadConfig({ PASSWORD_HASH_MEMORY_KIB: '8' }), /PASSWORD_HASH_MEMORY_KIB/);
    const custom = loadConfig({
      HOST: '0.0.0.0', PORT: '0', LOG_DIR: '/tmp/x', BODY_LIMIT: '1mb', INTERNAL_TOKEN: 'secret',
    }).config;
    assert.deepEqual([custom.host, custom.port, custom.logDir, custom.bodyLimit], ['0.0.0.0', 0, '/tmp/x', '1mb']);
  });
});

describe('data service: operations', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('operations');
    await createUser(h.api, '7001');
    const group = await createGroup(h.api, 'ops', ['7001']);
    await postMessage(h.api, group.id, '7001', 'counted');
  });
  after(async () => { await h?.close(); });

  it('listens on loopback only', () => {
    assert.match(h.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers /health and /ready', async () => {
    const health = await request(h.url).get('/health');
    assert.deepEqual(health.body, { status: 'ok', service: 'mongo-chat-server' });
    const ready = await request(h.url).get('/ready');
    assert.deepEqual(ready.body, { status: 'ready', checks: { mongo: 'ok' } });
  });

  it('exposes Prometheus metrics, including stored messages and errors', async () => {
    await h.api.get('/user/nobody');
    const res = await request(h.url).get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.text, /http_request_duration_seconds_bucket\{[^}]*route="\/user\/:up"/);
    assert.match(res.text, /messages_stored_total\{[^}]*\} 1/);
    assert.match(res.text, /errors_total\{[^}]*code="NOT_FOUND"[^}]*\} 1/);
  });

  it('serves the API description at /docs', async () => {
    const ui = await request(h.url).get('/docs/');
    assert.equal(ui.status, 200);
    assert.match(ui.text, /swagger/i);
    const doc = await request(h.url).get('/docs/swagger.json');
    assert.ok(doc.body.paths['/group/messages']);
    assert.ok(doc.body.paths['/message/batch']);
  });

  it('writes requests.log (Apache combined), combined.log and error.log', async () => {
    // Lines are flushed asynchronously.
    await new Promise((r) => { setTimeout(r, 200); });
    const requests = fs.readFileSync(path.join(h.logDir, 'requests.log'), 'utf8');
    assert.match(requests, /"POST \/message HTTP\/1\.1" 201 \d+ "-" "[^"]*"/);
    const combined = fs.readFileSync(path.join(h.logDir, 'combined.log'), 'utf8');
    assert.match(combined, /"message":"listening"/);
    assert.match(combined, /"service":"mongo-chat-server"/);
    assert.ok(fs.existsSync(path.join(h.logDir, 'error.log')));
  });
});
