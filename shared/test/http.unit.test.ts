import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { Writable } from 'node:stream';
import winston from 'winston';
import { z } from 'zod';
import {
  AppError, errorHandler, jsonBody, notFound, readEnv, silentLogger, validate, port,
} from '../src';

function app() {
  const a = express();
  a.use(jsonBody('1kb'));
  a.post('/echo', (req, res) => {
    const body = validate(z.object({ n: z.number().int().max(10) }).strict(), req.body);
    res.json(body);
  });
  a.get('/boom', () => { throw new Error('secret internal detail at /srv/x.ts:10'); });
  a.get('/gone', () => { throw new AppError('NOT_FOUND', 'no such thing'); });
  a.use(notFound);
  a.use(errorHandler(silentLogger()));
  return a;
}

describe('http plumbing', () => {
  it('answers validation failures with 400 and the field at fault', async () => {
    const res = await request(app()).post('/echo').send({ n: 11 });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    assert.match(res.body.error.message, /^n: /);
  });

  it('refuses operator objects where a value is expected', async () => {
    const res = await request(app()).post('/echo').send({ n: { $gt: 0 } });
    assert.equal(res.status, 400);
  });

  it('answers malformed JSON with 400 and oversized bodies with 413', async () => {
    const bad = await request(app()).post('/echo').set('content-type', 'application/json').send('{"n":');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    const big = await request(app()).post('/echo').send({ n: 1, pad: 'x'.repeat(5000) });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('hides internal errors behind INTERNAL, without a stack trace', async () => {
    const res = await request(app()).get('/boom');
    assert.equal(res.status, 500);
    assert.deepEqual(res.body, { error: { code: 'INTERNAL', message: 'internal error' } });
  });

  it('maps AppError and unknown routes to their codes', async () => {
    assert.equal((await request(app()).get('/gone')).body.error.code, 'NOT_FOUND');
    const res = await request(app()).get('/nope');
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'NOT_FOUND');
  });

  it('logs a storm of UNAVAILABLE once per window, folding the rest, and asks clients to retry later', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = winston.createLogger({
      transports: [new winston.transports.Stream({
        stream: new Writable({
          objectMode: true,
          write: (info: Record<string, unknown>, _encoding, done) => { lines.push(info); done(); },
        }),
      })],
    });
    const a = express();
    a.get('/down', () => { throw new AppError('UNAVAILABLE', 'the database is away'); });
    a.get('/boom', () => { throw new Error('broken'); });
    a.use(errorHandler(logger));
    const answers = await Promise.all(Array.from({ length: 50 }, () => request(a).get('/down')));
    answers.forEach((res) => {
      assert.equal(res.status, 503);
      assert.equal(res.body.error.code, 'UNAVAILABLE');
      assert.equal(res.headers['retry-after'], '1');
    });
    assert.equal(lines.filter((l) => l.code === 'UNAVAILABLE').length, 1, 'one line for the storm');
    for (let i = 0; i < 3; i += 1) await request(a).get('/boom');
    assert.equal(lines.filter((l) => l.code === 'INTERNAL').length, 3, 'every internal error is logged');
  });

  it('reads configuration with defaults and names the variable at fault', () => {
    const shape = { PORT: port(3000) };
    assert.equal(readEnv(shape, {}).PORT, 3000);
    assert.equal(readEnv(shape, { PORT: '0' }).PORT, 0);
    assert.throws(() => readEnv(shape, { PORT: 'eighty' }), /PORT/);
  });
});
