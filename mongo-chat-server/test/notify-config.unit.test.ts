/** The data service's notification settings: off without NOTIFY_URL, a secret required with it, defaults. */
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config';

describe('data service config: notifications', () => {
  it('is off without NOTIFY_URL (or with it empty), with the documented defaults', () => {
    const { notify } = loadConfig({ NOTIFY_URL: '' }).config;
    assert.equal(notify?.url, undefined);
    assert.equal(notify?.digestMs, 300000);
    assert.equal(notify?.retryBaseMs, 1000);
    assert.equal(notify?.leaseMs, 15000);
  });

  it('needs a secret of 16+ characters with NOTIFY_URL, and an http(s) URL', () => {
    assert.throws(() => loadConfig({ NOTIFY_URL: 'http://notify.internal/hook' }), /NOTIFY_SECRET: required/);
    assert.throws(() => loadConfig({ NOTIFY_URL: 'http://n/hook', NOTIFY_SECRET: 'short' }), /NOTIFY_SECRET/);
    assert.throws(() => loadConfig({ NOTIFY_URL: 'ftp://n/hook', NOTIFY_SECRET: 'x'.repeat(16) }), /NOTIFY_URL/);
    const { notify } = loadConfig({
      NOTIFY_URL: 'https://notify.internal/hook', NOTIFY_SECRET: 'x'.repeat(16), NOTIFY_DIGEST_S: '1.5',
    }).config;
    assert.equal(notify?.url, 'https://notify.internal/hook');
    assert.equal(notify?.digestMs, 1500);
  });
});
