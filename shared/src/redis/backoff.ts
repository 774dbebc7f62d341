/**
 * One reconnect policy for every Redis connection: 100 ms doubling to a 2 s cap,
 * so a restarted Redis or a promoted replica is found again within two seconds
 * without a storm of attempts while it is away.
 */
export const REDIS_BACKOFF_CAP_MS = 2000;

export const redisReconnectDelay = (retries: number): number => Math.min(
  100 * 2 ** Math.min(retries, 5),
  REDIS_BACKOFF_CAP_MS,
);
