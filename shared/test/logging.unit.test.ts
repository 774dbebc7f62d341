import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createLogging, logRotationFromEnv, scrubText } from '../src';

describe('logging', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-test-')); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

  it('writes combined.log and error.log as JSON lines tagged with the service and a timestamp', async () => {
    const { logger, close } = createLogging({ service: 'unit', dir });
    logger.info('hello', { group: 'g1' });
    logger.error('broken', { code: 'INTERNAL' });
    await close();
    const combined = read('combined.log').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(combined.length, 2);
    assert.equal(combined[0]?.service, 'unit');
    assert.equal(combined[0]?.group, 'g1');
    assert.ok(!Number.isNaN(Date.parse(String(combined[0]?.timestamp))));
    const errors = read('error.log').trim().split('\n');
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /broken/);
  });

  it('never writes a password, a token or a password hash', async () => {
    const { logger, close } = createLogging({ service: 'unit', dir });
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';
    const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';
    logger.info('login attempt', { password: 'hunter2hunter2', body: { password: 'p4ssw0rd!', up: '7' } });
    logger.warn(`bad token ${jwt}`, { authorization: `Bearer ${jwt}` });
    logger.error('leak?', { user: { passwordHash: hash }, detail: `stored ${hash}` });
    await close();
    const text = read('combined.log');
    ['hunter2hunter2', 'p4ssw0rd!', jwt, hash, 'c2lnbmF0dXJl'].forEach((secret) => {
      assert.ok(!text.includes(secret), `log contains ${secret}`);
    });
    assert.match(text, /"up":"7"/, 'ordinary fields survive');
  });

  it('writes requests in the Apache combined format without tokens in URLs', async () => {
    const { requests, close } = createLogging({ service: 'unit', dir });
    const app = express();
    app.use(requests);
    app.get('/x', (_req, res) => { res.send('ok'); });
    await request(app).get('/x?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig').set('User-Agent', 'probe/1');
    await close();
    const line = read('requests.log').trim();
    assert.match(line, /^\S+ - - \[[^\]]+\] "GET \/x\?token=\[token\] HTTP\/1\.1" 200 \d+ "-" "probe\/1"$/);
  });

  it('scrubs JWTs and bcrypt/argon2 hashes from free text', () => {
    assert.equal(scrubText('a eyJx.eyJy.z b'), 'a [token] b');
    assert.equal(scrubText('h=$2b$10$abcdefghijklmnopqrstuv'), 'h=[hash]');
  });

  it('rotates by size and keeps a bounded number of dated files, combined.log naming the current one', async () => {
    const { logger, close } = createLogging({ service: 'unit', dir, rotation: { maxSize: '1k', maxFiles: 3 } });
    // The next file opens asynchronously; pacing on it keeps a fast loop from outrunning the clean-up.
    const opened = async () => {
      while (!fs.existsSync(path.join(dir, 'combined.log'))) await new Promise((r) => { setImmediate(r); });
    };
    for (let i = 0; i < 100; i += 1) {
      logger.info(`line ${i} ${'x'.repeat(60)}`);
      await opened();
    }
    await close();
    const today = new Date().toISOString().slice(0, 10);
    const kept = fs.readdirSync(dir).filter((f) => f.startsWith('combined-'));
    assert.equal(kept.length, 3, `kept: ${kept.join(', ')}`);
    kept.forEach((f) => assert.match(f, new RegExp(`^combined-${today}(\\.\\d+)?\\.log$`)));
    assert.ok(fs.lstatSync(path.join(dir, 'combined.log')).isSymbolicLink());
    const current = read('combined.log').trim().split('\n');
    assert.match(current[current.length - 1] ?? '', /line 99 /, 'the link names the file being written');
    kept.forEach((f) => assert.ok(fs.statSync(path.join(dir, f)).size < 2048, `${f} was not rotated at 1k`));
  });

  it('keeps a plain log file left by an older version, beside the new link', async () => {
    fs.writeFileSync(path.join(dir, 'error.log'), 'old line\n');
    const { logger, close } = createLogging({ service: 'unit', dir });
    logger.error('new line');
    await close();
    assert.equal(read('error-before-rotation.log'), 'old line\n');
    assert.match(read('error.log'), /new line/);
    assert.doesNotMatch(read('error.log'), /old line/);
  });

  it('leaves successful heartbeats and health, readiness and metrics checks out of requests.log', async () => {
    const { requests, close } = createLogging({ service: 'unit', dir });
    const app = express();
    app.use(requests);
    ['/health', '/ready', '/metrics'].forEach((route) => app.get(route, (_req, res) => { res.send('ok'); }));
    app.put('/dispatcher/servers/:id/heartbeat', (req, res) => {
      if (req.params.id === 'unknown') res.status(404).send('unknown');
      else res.json({ ok: true });
    });
    app.get('/chat/groups', (_req, res) => { res.json([]); });
    const agent = request(app);
    for (let i = 0; i < 20; i += 1) {
      await agent.put('/dispatcher/servers/chat-a/heartbeat').send({ load: i });
      await agent.get(['/health', '/ready', '/metrics'][i % 3] ?? '/health');
    }
    await agent.get('/chat/groups');
    await agent.put('/dispatcher/servers/unknown/heartbeat');
    await close();
    const lines = read('requests.log').trim().split('\n');
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0] ?? '', /"GET \/chat\/groups HTTP\/1\.1" 200 /);
    assert.match(lines[1] ?? '', /"PUT \/dispatcher\/servers\/unknown\/heartbeat HTTP\/1\.1" 404 /, 'a failed heartbeat is logged');
  });

  it('reads LOG_MAX_SIZE and LOG_MAX_FILES, with safe defaults and a clear error for a bad value', () => {
    assert.deepEqual(logRotationFromEnv({}), { maxSize: '20m', maxFiles: 14 });
    assert.deepEqual(logRotationFromEnv({ LOG_MAX_SIZE: '500K', LOG_MAX_FILES: '5' }), { maxSize: '500k', maxFiles: 5 });
    assert.throws(() => logRotationFromEnv({ LOG_MAX_SIZE: 'lots' }), /LOG_MAX_SIZE/);
    assert.throws(() => logRotationFromEnv({ LOG_MAX_FILES: '0' }), /LOG_MAX_FILES/);
  });
});
