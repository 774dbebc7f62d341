/** Where the backend is, and how its errors are put to the person. */
import assert from 'node:assert/strict';
import { ApiError, errorFromAck, errorFromBody } from '../src/api/api-error';
import { describeError } from '../src/api/describe-error';
import { DEFAULT_CONFIG, normalizeBaseUrl, resolveConfig } from '../src/config';

describe('client: configuration', () => {
  it('prefers window.CHAT_CONFIG, then the query parameters, then the defaults, field by field', () => {
    assert.deepEqual(
      resolveConfig({ dispatcherUrl: 'http://d.example:5000/' }, '?dispatcher=http://q:1&api=http://q:2'),
      { dispatcherUrl: 'http://d.example:5000', apiUrl: 'http://q:2' },
    );
    assert.deepEqual(resolveConfig(undefined, '?api=https://chat.example/base/'), {
      dispatcherUrl: DEFAULT_CONFIG.dispatcherUrl, apiUrl: 'https://chat.example/base',
    });
    assert.deepEqual(resolveConfig(null, ''), DEFAULT_CONFIG);
  });

  it('accepts only absolute http(s) URLs', () => {
    assert.equal(normalizeBaseUrl(['javascript', 'alert(1)'].join(':')), undefined);
    assert.equal(normalizeBaseUrl('/relative'), undefined);
    assert.equal(normalizeBaseUrl(42), undefined);
    assert.equal(normalizeBaseUrl(' http://localhost:4000/ '), 'http://localhost:4000');
    assert.deepEqual(resolveConfig({ apiUrl: 'data:text/html,x' }, ''), DEFAULT_CONFIG);
  });
});

describe('client: errors in plain words', () => {
  it('reads the backend error shape, and falls back on the HTTP status', () => {
    const known = errorFromBody(409, { error: { code: 'CONFLICT', message: 'username already taken' } });
    assert.equal(known.code, 'CONFLICT');
    assert.equal(known.message, 'username already taken');
    assert.equal(errorFromBody(429, '<html>').code, 'RATE_LIMITED');
    assert.equal(errorFromBody(502, undefined).code, 'INTERNAL');
    assert.equal(errorFromBody(400, { error: { code: 'MADE_UP', message: 'x' } }).code, 'VALIDATION_FAILED');
    assert.equal(errorFromAck({ code: 'FORBIDDEN', message: 'not a member' }).code, 'FORBIDDEN');
  });

  it('adds the server detail where it names the problem', () => {
    assert.equal(
      describeError(new ApiError('CONFLICT', 'username already taken')),
      'That is already taken. Username already taken.',
    );
    assert.equal(describeError(new ApiError('RATE_LIMITED', 'slow down')), 'Too many attempts. Wait a moment and try again.');
    assert.match(describeError(new ApiError('NETWORK', 'cannot reach http://x')), /^Cannot reach the chat service/);
    assert.equal(describeError('weird'), 'Something went wrong. Try again.');
    assert.equal(describeError(new Error('boom')), 'Something went wrong: Boom.');
  });
});
