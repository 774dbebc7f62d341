/**
 * When a supervised process crashes: restart it after a delay that doubles with
 * each recent crash, or give up once it crashes too often too fast (a service
 * that dies on every start would otherwise loop forever and hide the cause).
 * Pure: the caller keeps the crash times and the clock.
 */
export interface RestartPolicy {
  /** Crashes within `windowMs` that mean "give up". */
  maxCrashes: number;
  windowMs: number;
  /** Delay before the first restart; each further recent crash doubles it. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxCrashes: 5, windowMs: 60000, initialDelayMs: 1000, maxDelayMs: 16000,
};

export type RestartDecision =
  | { action: 'restart'; delayMs: number; recentCrashes: number }
  | { action: 'give-up'; recentCrashes: number };

/** The crash times still inside the window at `now`, the newest last. */
export function recentCrashes(crashTimes: readonly number[], now: number, policy: RestartPolicy): number[] {
  return crashTimes.filter((t) => now - t < policy.windowMs);
}

/** What to do about a crash at `now`, given the earlier crash times (this one included). */
export function decideAfterCrash(
  crashTimes: readonly number[],
  now: number,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): RestartDecision {
  const count = recentCrashes(crashTimes, now, policy).length;
  if (count >= policy.maxCrashes) return { action: 'give-up', recentCrashes: count };
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, count - 1));
  return { action: 'restart', delayMs, recentCrashes: count };
}
