/** The dispatcher's environment: bare-machine defaults, and a refusal naming what is wrong. */
import assert from 'node:assert/strict';
import { originAllowed } from '@chat/shared';
import { readConfig } from '../src/config';

describe('dispatcher configuration', () => {
  it('starts on a bare machine with the documented defaults', () => {
    const config = readConfig({});
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.port, 5000);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.heartbeatTimeoutMs, 6000);
    assert.equal(config.internalToken, 'dev-internal-token');
    assert.ok(config.jwtSecret.length >= 32);
    assert.match(config.dispatcherId, /^dispatcher-/);
    assert.equal(config.corsOrigins, null);
    assert.ok(config.warnings.some((w) => w.includes('JWT_SECRET')));
    assert.ok(config.warnings.some((w) => w.includes('REDIS_URL')));
  });

  it('requires the secrets in production, and allows no browser origin unless listed', () => {
    assert.throws(() => readConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }), /INTERNAL_TOKEN/);
    assert.throws(() => readConfig({ NODE_ENV: 'production', INTERNAL_TOKEN: 'y' }), /JWT_SECRET/);
    const config = readConfig({ NODE_ENV: 'production', INTERNAL_TOKEN: 'y', JWT_SECRET: 'x'.repeat(32) });
    assert.deepEqual(config.warnings.filter((w) => /SECRET|TOKEN/.test(w)), []);
    assert.equal(originAllowed(config, 'http://localhost:5173'), false);
    const listed = readConfig({ CORS_ORIGINS: 'https://chat.example, https://admin.example' });
    assert.equal(originAllowed(listed, 'https://chat.example'), true);
    assert.equal(originAllowed(listed, 'http://localhost:5173'), false);
  });

  it('names the variable at fault', () => {
    assert.throws(() => readConfig({ HEARTBEAT_TIMEOUT_MS: 'soon' }), /HEARTBEAT_TIMEOUT_MS/);
    assert.throws(() => readConfig({ REDIS_URL: 'not a url' }), /REDIS_URL/);
    assert.throws(() => readConfig({ HIGH_WATER: '1.5' }), /HIGH_WATER/);
    assert.throws(() => readConfig({ LOW_WATER: '0.9', HIGH_WATER: '0.8' }), /LOW_WATER/);
    assert.throws(() => readConfig({ CHECK_INTERVAL_MS: '5000', LEASE_TTL_MS: '3000' }), /LEASE_TTL_MS/);
    assert.throws(() => readConfig({ JWT_SECRET: 'short' }), /JWT_SECRET/);
  });
});
