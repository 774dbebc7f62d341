/** The revocation cache's rules (auth/sessions-cache.ts), on a clock of the test's own. */
import assert from 'node:assert/strict';
import { createRevocationCache } from '../src/auth/sessions-cache';

describe('chat server: revocation cache', () => {
  let now = 1_000_000_000_000;
  const cache = () => createRevocationCache({ recheckMs: 30000, tokenTtlMs: 900000, now: () => now });
  const token = (sid?: string, issuedAt = Math.floor(now / 1000)) => ({ up: '42', sid, issuedAt });

  it('refuses a signed-out session by its id, and only that session', () => {
    const c = cache();
    c.apply({ up: '42', sids: ['s1'], before: null });
    assert.equal(c.isRevoked(token('s1')), true);
    assert.equal(c.isRevoked(token('s2')), false);
    assert.equal(c.isRevoked({ up: '7', sid: 's3', issuedAt: 0 }), false);
  });

  it('refuses tokens without a session issued up to the sign-out, but never a session by the clock', () => {
    const c = cache();
    const before = now;
    c.apply({ up: '42', sids: [], before });
    assert.equal(c.isRevoked(token(undefined, Math.floor(before / 1000) - 5)), true);
    assert.equal(c.isRevoked(token(undefined, Math.floor(before / 1000))), true, 'the same second is refused');
    assert.equal(c.isRevoked(token(undefined, Math.floor(before / 1000) + 1)), false);
    assert.equal(c.isRevoked(token('live', Math.floor(before / 1000) - 5)), false, 'sessions are refused by id only');
  });

  it('asks again once an answer is older than the re-check time, and learns revocations from it', () => {
    const c = cache();
    const t = token('s9');
    assert.equal(c.isStale(t), true);
    assert.equal(c.isKnown(t), false);
    c.learn(t, { revoked: false, signedOutBefore: null });
    assert.equal(c.isStale(t), false);
    now += 30001;
    assert.equal(c.isStale(t), true);
    assert.equal(c.isKnown(t), true);
    c.learn(t, { revoked: true, signedOutBefore: null });
    assert.equal(c.isRevoked(t), true);
  });

  it('learns a user sign-out for tokens without a session from the answer', () => {
    const c = cache();
    const legacy = token(undefined, Math.floor(now / 1000) - 60);
    c.learn(legacy, { revoked: false, signedOutBefore: new Date(now - 1000).toISOString() });
    assert.equal(c.isRevoked(legacy), true);
  });
});
