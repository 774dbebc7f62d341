import assert from 'node:assert/strict';
import { DEFAULT_RESTART_POLICY, decideAfterCrash } from '../src/restart-policy';
import type { RestartPolicy } from '../src/restart-policy';

describe('restart policy', () => {
  const policy: RestartPolicy = {
    maxCrashes: 5, windowMs: 60000, initialDelayMs: 1000, maxDelayMs: 5000,
  };

  it('restarts after a first crash with the initial delay', () => {
    assert.deepEqual(decideAfterCrash([10000], 10000, policy), { action: 'restart', delayMs: 1000, recentCrashes: 1 });
  });

  it('doubles the delay with each recent crash, up to the maximum', () => {
    const delays = [1, 2, 3, 4].map((n) => {
      const times = Array.from({ length: n }, (_, i) => i * 1000);
      const decision = decideAfterCrash(times, (n - 1) * 1000, policy);
      return decision.action === 'restart' ? decision.delayMs : -1;
    });
    assert.deepEqual(delays, [1000, 2000, 4000, 5000]);
  });

  it('gives up at the fifth crash within a minute', () => {
    const times = [0, 5000, 10000, 20000, 59000];
    assert.deepEqual(decideAfterCrash(times, 59000, policy), { action: 'give-up', recentCrashes: 5 });
  });

  it('forgets crashes older than the window: five crashes spread over hours keep restarting quickly', () => {
    const hour = 3600000;
    const times = [0, hour, 2 * hour, 3 * hour, 4 * hour];
    assert.deepEqual(decideAfterCrash(times, 4 * hour, policy), { action: 'restart', delayMs: 1000, recentCrashes: 1 });
  });

  it('by default gives up after 5 crashes within 60 s', () => {
    assert.equal(DEFAULT_RESTART_POLICY.maxCrashes, 5);
    assert.equal(DEFAULT_RESTART_POLICY.windowMs, 60000);
    assert.equal(decideAfterCrash([0, 1, 2, 3], 3).action, 'restart');
    assert.equal(decideAfterCrash([0, 1, 2, 3, 4], 4).action, 'give-up');
  });
});
