/**
 * Rate limits: register/login per IP (shared by every chat server through
 * Redis when there is one, with an in-memory stand-in while Redis is away), and
 * per socket (memory: a socket lives on one server).
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

export function createAuthLimiter(config: ChatServerConfig, redis?: RedisClient): Limiter {
  const options = { points: config.authRatePoints, duration: config.authRateWindowS, keyPrefix: `${config.redisPrefix}:rl:auth` };
  const memory = new RateLimiterMemory(options);
  const limiter = redis
    ? new RateLimiterRedis({
      ...options, storeClient: redis, useRedisPackage: true, rejectIfRedisNotReady: true, insuranceLimiter: memory,
    })
    : memory;
  return wrap(limiter, 'sign-in attempts');
}

/** Per socket: chat messages, and (five times as many) every other event, so no event can flood. */
export function createSocketLimiters(config: ChatServerConfig): { messages: Limiter; events: Limiter } {
  return {
    messages: wrap(new RateLimiterMemory({
      points: config.socketMessagePoints, duration: config.socketMessageWindowS, keyPrefix: 'rl:socket:msg',
    }), 'messages'),
    events: wrap(new RateLimiterMemory({
      points: config.socketMessagePoints * 5, duration: config.socketMessageWindowS, keyPrefix: 'rl:socket:evt',
    }), 'requests'),
  };
}
