import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createLogging, scrubText } from '../src';

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
});
