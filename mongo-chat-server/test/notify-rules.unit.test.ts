/**
 * The pure rules of notifications: mentions, quiet hours in a time zone
 * (spanning midnight, daylight saving), who is told what, back-off, digest
 * ids and signatures.
 */
import assert from 'node:assert/strict';
import { backoffMs, digestIdOf } from '../src/notifications/digest-worker';
import { excerptOf } from '../src/notifications/outbox';
import {
  decide, inQuietHours, localMinutes, mentions,
} from '../src/notifications/rules';
import { signature, verifySignature } from '../src/notifications/sender';

describe('notification rules', () => {
  it('finds mentions by user number or username, not inside other words or addresses', () => {
    const bob = { up: '42', username: 'bob.s' };
    assert.equal(mentions('@42 look', bob), true);
    assert.equal(mentions('hey @bob.s, look', bob), true);
    assert.equal(mentions('hey @BOB.S.', bob), true, 'a name is matched case-insensitively, a full stop ends it');
    assert.equal(mentions('(@42)', bob), true);
    assert.equal(mentions('@421 is someone else', bob), false);
    assert.equal(mentions('mail bob@42.example', bob), false);
    assert.equal(mentions('@bob.smith is not bob.s', bob), false);
    assert.equal(mentions('no mention of 42 here', bob), false);
    assert.equal(mentions('@4.2', { up: '4' }), false, 'a dot followed by more name is part of the name');
  });

  it('computes quiet hours in the user\'s time zone, across midnight and daylight saving', () => {
    // 2026-07-01 21:30 UTC is 23:30 in Paris (summer, UTC+2) and 03:00 next day in Kolkata (UTC+5:30).
    const at = new Date('2026-07-01T21:30:00Z');
    assert.equal(localMinutes(at, 'Europe/Paris'), 23 * 60 + 30);
    assert.equal(localMinutes(at, 'Asia/Kolkata'), 3 * 60);
    const night = { start: '22:00', end: '07:00' };
    assert.equal(inQuietHours(at, 'Europe/Paris', night), true);
    assert.equal(inQuietHours(at, 'Asia/Kolkata', night), true);
    assert.equal(inQuietHours(at, 'UTC', night), false);
    assert.equal(inQuietHours(at, 'UTC', { start: '21:30', end: '21:31' }), true, 'start is inside');
    assert.equal(inQuietHours(at, 'UTC', { start: '21:00', end: '21:30' }), false, 'end is outside');
    assert.equal(inQuietHours(at, 'UTC', null), false);
    // In winter Paris is UTC+1: the same UTC time is 22:30.
    assert.equal(localMinutes(new Date('2026-01-15T21:30:00Z'), 'Europe/Paris'), 22 * 60 + 30);
  });

  it('decides who is told: muted never, mentions-only on mentions, online members only of mentions and in the list', () => {
    const base = {
      level: 'all' as const, online: false, mentioned: false, repliedTo: false,
    };
    assert.deepEqual(decide(base), { reason: 'message', push: true });
    assert.equal(decide({ ...base, level: 'muted', mentioned: true }), null);
    assert.equal(decide({ ...base, level: 'mentions' }), null);
    assert.deepEqual(decide({ ...base, level: 'mentions', mentioned: true }), { reason: 'mention', push: true });
    assert.deepEqual(decide({ ...base, level: 'mentions', repliedTo: true }), { reason: 'reply', push: true });
    assert.equal(decide({ ...base, online: true }), null);
    assert.deepEqual(decide({ ...base, online: true, mentioned: true }), { reason: 'mention', push: false });
  });

  it('backs off exponentially with jitter, capped', () => {
    assert.equal(backoffMs(1, 1000, 60000, () => 0), 500);
    assert.equal(backoffMs(1, 1000, 60000, () => 1), 1000);
    assert.equal(backoffMs(4, 1000, 60000, () => 1), 8000);
    assert.equal(backoffMs(40, 1000, 60000, () => 1), 60000);
  });

  it('derives the digest id from its user and items, in any order', () => {
    assert.equal(digestIdOf('1', ['a', 'b']), digestIdOf('1', ['b', 'a']));
    assert.notEqual(digestIdOf('1', ['a', 'b']), digestIdOf('1', ['a']));
    assert.notEqual(digestIdOf('1', ['a']), digestIdOf('2', ['a']));
  });

  it('signs the raw body with HMAC-SHA256 and verifies only that body and key', () => {
    const body = '{"id":"dg_1"}';
    const sig = signature(body, 'k'.repeat(16));
    assert.match(sig, /^sha256=[0-9a-f]{64}$/);
    assert.equal(verifySignature(body, 'k'.repeat(16), sig), true);
    assert.equal(verifySignature(`${body} `, 'k'.repeat(16), sig), false);
    assert.equal(verifySignature(body, 'x'.repeat(16), sig), false);
    assert.equal(verifySignature(body, 'k'.repeat(16), undefined), false);
  });

  it('keeps at most 200 code points of a message', () => {
    assert.equal(excerptOf('short'), 'short');
    const long = '😀'.repeat(300);
    assert.equal(Array.from(excerptOf(long)).length, 200);
  });
});
