/**
 * Sending with retries: every attempt carries the same `clientId`, so the
 * server stores the message at most once however many attempts reach it, and
 * a retry of a stored send is answered with the first one's id and seq.
 */
import { ProtocolError } from './errors';

export interface RetryPolicy {
  /** Give up this long after the first attempt. */
  deadlineMs: number;
  /** The wait before attempt `attempt + 1` (attempt counts from 1). */
  delayMs: (attempt: number) => number;
  /** Refusals worth another attempt: they pass by themselves. */
  retryCodes: readonly string[];
}

export const SEND_RETRY: RetryPolicy = {
  deadlineMs: 20000,
  delayMs: () => 200,
  retryCodes: ['UNAVAILABLE', 'RATE_LIMITED'],
};

/**
 * Whether a failed attempt is worth another with the same clientId: a refusal with a passing
 * code, or no answer at all (cut off, timed out, not connected: it may or may not be stored,
 * and the same clientId makes the retry safe either way).
 */
export function shouldRetry(err: unknown, policy: Pick<RetryPolicy, 'retryCodes'> = SEND_RETRY): boolean {
  if (!(err instanceof ProtocolError) || err.kind !== 'answer') return true;
  return policy.retryCodes.includes(err.code);
}

export interface RetryHooks {
  /** Every failed attempt, retried or not. */
  failed?: (err: unknown) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** False once the owner gave up (closed). */
  alive?: () => boolean;
}

const pause = (ms: number) => new Promise<void>((resolve) => { setTimeout(resolve, ms); });

/** Runs `attempt` until it succeeds, fails for good, or the deadline passes; rejects with the last error. */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy = SEND_RETRY,
  hooks: RetryHooks = {},
): Promise<T> {
  const { now = Date.now, sleep = pause, alive = () => true } = hooks;
  const deadline = now() + policy.deadlineMs;
  let last: unknown = new Error('not sent');
  for (let n = 1; now() < deadline && alive(); n += 1) {
    try {
      return await attempt();
    } catch (err) {
      last = err;
      hooks.failed?.(err);
      if (!shouldRetry(err, policy)) break;
    }
    await sleep(policy.delayMs(n));
  }
  throw last;
}
