/**
 * The dispatcher's configuration: every environment variable read and
 * validated here, once, with defaults that start on a bare machine.
 */
import os from 'node:os';
import { z } from 'zod';
import {
  baseConfig, baseEnvShape, clusterNodesSchema, jwtSecretOrRandom, optionalUrl, parseOrigins,
  positiveInt, readEnv, redisTarget, serviceId,
} from '@chat/shared';
import type { BaseConfig, OriginPolicy, RedisTarget } from '@chat/shared';

const fraction = (fallback: number) => z.coerce.number().gt(0).lt(1).default(fallback);

const ENV_SHAPE = {
  ...baseEnvShape({ host: '0.0.0.0', port: 5000 }),
  REDIS_URL: optionalUrl(),
  /** A Redis Cluster instead: some of its nodes, `host:port,…`. */
  REDIS_CLUSTER_NODES: clusterNodesSchema(),
  /** Keys and channels in Redis start with this, so several systems can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/).default('chat:dispatcher'),
  JWT_SECRET: z.string().min(16).optional(),
  DISPATCHER_ID: serviceId().optional(),
  HEARTBEAT_TIMEOUT_MS: positiveInt(6000),
  CORS_ORIGINS: z.string().optional(),
  /** How often the leader renews its lease, looks for dead servers and re-plans the map. */
  CHECK_INTERVAL_MS: positiveInt(1000),
  LEASE_TTL_MS: positiveInt(3000),
  /** How often replicas check the stored map's version (pub/sub usually tells them sooner). */
  MAP_REFRESH_MS: positiveInt(500),
  HIGH_WATER: fraction(0.8),
  LOW_WATER: fraction(0.3),
  MAX_SUFFIX_DEPTH: z.coerce.number().int().min(1).max(10)
    .default(6),
  /** After a server's leaves change, its load is not split or merged on again for this long. */
  REBALANCE_COOLDOWN_MS: z.coerce.number().int().min(0).default(10000),
  /** How long a register or deregister waits for the leader to put the change in the map. */
  MAP_CHANGE_WAIT_MS: positiveInt(2000),
};

export interface DispatcherConfig extends Omit<BaseConfig, 'production' | 'logDir'>, OriginPolicy {
  /** Without it the registry and the map live in memory: one replica. */
  redisUrl?: string;
  /** The Redis to use (REDIS_URL or REDIS_CLUSTER_NODES). */
  redis?: RedisTarget;
  redisPrefix: string;
  jwtSecret: string;
  dispatcherId: string;
  heartbeatTimeoutMs: number;
  logDir?: string;
  logToConsole: boolean;
  checkIntervalMs: number;
  leaseTtlMs: number;
  mapRefreshMs: number;
  highWater: number;
  lowWater: number;
  maxSuffixDepth: number;
  rebalanceCooldownMs: number;
  mapChangeWaitMs: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): DispatcherConfig {
  const e = readEnv(ENV_SHAPE, env);
  const { production, logDir, ...base } = baseConfig(e, {
    logFolder: e.DISPATCHER_ID ? `dispatcher-${e.DISPATCHER_ID}` : 'dispatcher', requiredInProduction: { JWT_SECRET: e.JWT_SECRET },
  });
  const { warnings } = base;
  if (e.LOW_WATER >= e.HIGH_WATER) throw new Error('invalid configuration: LOW_WATER must be below HIGH_WATER');
  if (e.LEASE_TTL_MS <= e.CHECK_INTERVAL_MS) {
    throw new Error('invalid configuration: LEASE_TTL_MS must be longer than CHECK_INTERVAL_MS (the leader renews it every check)');
  }
  const jwtSecret = jwtSecretOrRandom(
    e.JWT_SECRET,
    warnings,
    '/chat/location refuses every token until it matches the chat servers\' secret',
  );
  const redis = redisTarget(e.REDIS_URL, e.REDIS_CLUSTER_NODES);
  if (!redis) warnings.push('REDIS_URL not set: the registry and the map live in memory (run one replica only)');
  const dispatcherId = e.DISPATCHER_ID ?? `dispatcher-${os.hostname()}-${process.pid}`;
  return {
    ...base,
    redisUrl: e.REDIS_URL,
    redis,
    redisPrefix: e.REDIS_PREFIX,
    jwtSecret,
    dispatcherId,
    heartbeatTimeoutMs: e.HEARTBEAT_TIMEOUT_MS,
    corsOrigins: parseOrigins(e.CORS_ORIGINS, production),
    logDir,
    logToConsole: !production,
    checkIntervalMs: e.CHECK_INTERVAL_MS,
    leaseTtlMs: e.LEASE_TTL_MS,
    mapRefreshMs: e.MAP_REFRESH_MS,
    highWater: e.HIGH_WATER,
    lowWater: e.LOW_WATER,
    maxSuffixDepth: e.MAX_SUFFIX_DEPTH,
    rebalanceCooldownMs: e.REBALANCE_COOLDOWN_MS,
    mapChangeWaitMs: e.MAP_CHANGE_WAIT_MS,
  };
}
