/**
 * Rate limits (docs/design.md, Limits). Shared by every chat server through
 * Redis when there is one (one key per operation, so a Redis Cluster is fine),
 * with an in-memory stand-in while Redis is away:
 * - register/login/refresh per IP, and failed sign-ins per account;
 * - chat messages per user, across all their sockets on every server;
 * - authenticated REST calls per user.
 * Other socket events are limited per socket (memory: a socket lives on one server).
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '@chat/shared';
import type { RedisClient } from '@chat/shared';
import type { ChatServerConfig } from './config';

export interface Limiter {
  /** Takes one point for `key`, or throws RATE_LIMITED. */
  consume: (key: string) => Promise<void>;
}

function wrap(limiter: RateLimiterAbstract, what: string): Limiter {
  return {
    consume: async (key) => {
      try {
        await limiter.consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
          throw new AppError('RATE_LIMITED', `too many ${what}; retry in ${seconds} s`);
        }
        // The store failed and had no fallback: let the request through rather than lock users out.
      }
    },
  };
}

interface LimitOptions { points: number; duration: number; keyPrefix: string }

/** In Redis when there is one (the memory limiter standing in while it is away), else in memory. */
function shared(options: LimitOptions, redis?: RedisClient): RateLimiterAbstract {
  const memory = new RateLimiterMemory(options);
  return redis
    ? new RateLimiterRedis({
      ...options, storeClient: redis, useRedisPackage: true, rejectIfRedisNotReady: true, insuranceLimiter: memory,
    })
    : memory;
}

export function createAuthLimiter(config: ChatServerConfig, redis?: RedisClient): Limiter {
  return wrap(shared({
    points: config.authRatePoints, duration: config.authRateWindowS, keyPrefix: `${config.redisPrefix}:rl:auth`,
  }, redis), 'sign-in attempts');
}

/** Failed sign-ins per account: `check` before trying, `fail` after a wrong password. */
export interface AccountLimiter {
  /** RATE_LIMITED when the account has had too many failed sign-ins lately. */
  check: (account: string) => Promise<void>;
  fail: (account: string) => Promise<void>;
}

export function createAccountLimiter(config: ChatServerConfig, redis?: RedisClient): AccountLimiter {
  const limiter = shared({
    points: config.signInAccountPoints, duration: config.signInAccountWindowS, keyPrefix: `${config.redisPrefix}:rl:account`,
  }, redis);
  const refusal = (msBeforeNext: number) => new AppError(
    'RATE_LIMITED',
    `too many failed sign-ins for this account; retry in ${Math.max(1, Math.ceil(msBeforeNext / 1000))} s`,
  );
  return {
    check: async (account) => {
      const state = await limiter.get(account).catch(() => null);
      if (state && state.consumedPoints >= config.signInAccountPoints) throw refusal(state.msBeforeNext);
    },
    fail: async (account) => {
      await limiter.consume(account).catch(() => undefined);
    },
  };
}

/** Per user, on every chat server: chat messages, and authenticated REST calls. */
export function createUserLimiters(
  config: ChatServerConfig,
  redis?: RedisClient,
): { messages: Limiter; rest: Limiter } {
  return {
    messages: wrap(shared({
      points: config.socketMessagePoints, duration: config.socketMessageWindowS, keyPrefix: `${config.redisPrefix}:rl:user:msg`,
    }, redis), 'messages'),
    rest: wrap(shared({
      points: config.restRatePoints, duration: config.restRateWindowS, keyPrefix: `${config.redisPrefix}:rl:user:rest`,
    }, redis), 'requests'),
  };
}

/** Per socket: every event (five times the message rate), so no event can flood. */
export function createSocketLimiters(config: ChatServerConfig): { events: Limiter } {
  return {
    events: wrap(new RateLimiterMemory({
      points: config.socketMessagePoints * 5, duration: config.socketMessageWindowS, keyPrefix: 'rl:socket:evt',
    }), 'requests'),
  };
}
