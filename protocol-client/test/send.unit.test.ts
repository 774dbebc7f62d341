/** Sending with retries and reconnecting with back-off: when to try again, how long to wait, when to give up. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backoffDelay } from '../src/connection';
import { ProtocolError } from '../src/errors';
import { SEND_RETRY, shouldRetry, withRetries } from '../src/send';
import type { RetryPolicy } from '../src/send';

/** A clock that only moves when the code under test sleeps. */
function fakeClock() {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => { slept.push(ms); now += ms; },
    slept,
  };
}

const policy: RetryPolicy = { deadlineMs: 1000, delayMs: (n) => 100 * n, retryCodes: ['UNAVAILABLE', 'RATE_LIMITED'] };

describe('protocol client: send retries', () => {
  it('retries what passes or may not have arrived, never a refusal that stands', () => {
    assert.equal(shouldRetry(new ProtocolError('UNAVAILABLE', 'data service away')), true);
    assert.equal(shouldRetry(new ProtocolError('RATE_LIMITED', 'slow down')), true);
    assert.equal(shouldRetry(new ProtocolError('UNAVAILABLE', 'the connection was lost', 'disconnected')), true);
    assert.equal(shouldRetry(new ProtocolError('UNAVAILABLE', 'no answer', 'no-answer')), true);
    assert.equal(shouldRetry(new Error('not connected')), true);
    assert.equal(shouldRetry(new ProtocolError('FORBIDDEN', 'not a member')), false);
    assert.equal(shouldRetry(new ProtocolError('VALIDATION_FAILED', 'too long')), false);
    assert.deepEqual(SEND_RETRY.retryCodes, ['UNAVAILABLE', 'RATE_LIMITED']);
  });

  it('sends every attempt with the same clientId and settles on the first acknowledgement', async () => {
    const clock = fakeClock();
    const clientIds: string[] = [];
    const failures = [
      new ProtocolError('UNAVAILABLE', 'the connection was lost', 'disconnected'),
      new ProtocolError('UNAVAILABLE', 'no answer', 'no-answer'),
      new ProtocolError('RATE_LIMITED', 'slow down'),
    ];
    const seen: unknown[] = [];
    const clientId = 'c-42';
    const result = await withRetries(async () => {
      clientIds.push(clientId);
      const failure = failures.shift();
      if (failure) throw failure;
      return { id: 'm1', seq: 7 };
    }, policy, { ...clock, failed: (err) => seen.push(err) });
    assert.deepEqual(result, { id: 'm1', seq: 7 });
    assert.deepEqual(clientIds, ['c-42', 'c-42', 'c-42', 'c-42']);
    assert.equal(seen.length, 3);
    assert.deepEqual(clock.slept, [100, 200, 300]);
  });

  it('stops at once on a refusal that stands, with that refusal', async () => {
    const clock = fakeClock();
    let attempts = 0;
    await assert.rejects(withRetries(async () => {
      attempts += 1;
      throw new ProtocolError('FORBIDDEN', 'not a member');
    }, policy, clock), (err: unknown) => err instanceof ProtocolError && err.code === 'FORBIDDEN');
    assert.equal(attempts, 1);
  });

  it('gives up at the deadline with the last error, and when its owner closes', async () => {
    const clock = fakeClock();
    let attempts = 0;
    await assert.rejects(withRetries(async () => {
      attempts += 1;
      throw new ProtocolError('UNAVAILABLE', `attempt ${attempts}`);
    }, policy, clock), /attempt 4/);
    assert.equal(attempts, 4, 'waits of 100 + 200 + 300 + 400 reach the 1000 ms deadline');
    let alive = true;
    await assert.rejects(withRetries(async () => {
      alive = false;
      throw new Error('cut off');
    }, policy, { ...fakeClock(), alive: () => alive }), /cut off/);
  });
});

describe('protocol client: reconnect back-off', () => {
  it('doubles from the minimum to the maximum, with jitter between half and all of it (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.double({
        min: 0, max: 1, maxExcluded: true, noNaN: true,
      }),
      (failures, r) => {
        const delay = backoffDelay(failures, 300, 8000, () => r);
        const full = Math.min(8000, 300 * 2 ** (failures - 1));
        assert.ok(delay >= full / 2 && delay <= full, `${delay} outside [${full / 2}, ${full}]`);
      },
    ));
    assert.equal(backoffDelay(1, 300, 8000, () => 1), 300);
    assert.equal(backoffDelay(3, 300, 8000, () => 1), 1200);
    assert.equal(backoffDelay(30, 300, 8000, () => 0), 4000);
  });
});
