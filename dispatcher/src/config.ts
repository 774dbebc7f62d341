/**
 * The dispatcher's configuration: every environment variable read and
 * validated here, once, with defaults that start on a bare machine.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  clusterNodesSchema, port, readEnv, redisTarget,
} from '@chat/shared';
import type { RedisTarget } from '@chat/shared';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

const positiveInt = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const fraction = (fallback: number) => z.coerce.number().gt(0).lt(1).default(fallback);
const optionalUrl = () => z.string().url().optional().or(z.literal('').transform(() => undefined));

const ENV_SHAPE = {
  NODE_ENV: z.string().default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: port(5000),
  REDIS_URL: optionalUrl(),
  /** A Redis Cluster instead: some of its nodes, `host:port,…`. */
  REDIS_CLUSTER_NODES: clusterNodesSchema(),
  /** Keys and channels in Redis start with this, so several systems can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/).default('chat:dispatcher'),
  JWT_SECRET: z.string().min(16).optional(),
  INTERNAL_TOKEN: z.string().min(1).optional(),
  DISPATCHER_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
  HEARTBEAT_TIMEOUT_MS: positiveInt(6000),
  CORS_ORIGINS: z.string().optional(),
  LOG_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  BODY_LIMIT: z.string().default('64kb'),
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

export interface DispatcherConfig {
  nodeEnv: string;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Without it the registry and the map live in memory: one replica. */
  redisUrl?: string;
  /** The Redis to use (REDIS_URL or REDIS_CLUSTER_NODES). */
  redis?: RedisTarget;
  redisPrefix: string;
  jwtSecret: string;
  internalToken: string;
  dispatcherId: string;
  heartbeatTimeoutMs: number;
  /** Exact origins allowed; null = any http://localhost:* or http://127.0.0.1:* origin. */
  corsOrigins: string[] | null;
  logDir?: string;
  logLevel: string;
  logToConsole: boolean;
  bodyLimit: string;
  checkIntervalMs: number;
  leaseTtlMs: number;
  mapRefreshMs: number;
  highWater: number;
  lowWater: number;
  maxSuffixDepth: number;
  rebalanceCooldownMs: number;
  mapChangeWaitMs: number;
  /** Messages about defaults taken, for the logger once it exists. */
  warnings: string[];
}

const DEV_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/;

export function originAllowed(config: Pick<DispatcherConfig, 'corsOrigins'>, origin: string | undefined): boolean {
  // Non-browser clients send no Origin; CORS cannot protect them anyway, the token does.
  if (!origin) return true;
  if (config.corsOrigins === null) return DEV_ORIGIN.test(origin);
  return config.corsOrigins.includes(origin);
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): DispatcherConfig {
  const e = readEnv(ENV_SHAPE, env);
  const production = e.NODE_ENV === 'production';
  const warnings: string[] = [];
  if (production && !e.INTERNAL_TOKEN) throw new Error('invalid configuration: INTERNAL_TOKEN is required in production');
  if (production && !e.JWT_SECRET) throw new Error('invalid configuration: JWT_SECRET is required in production');
  if (e.LOW_WATER >= e.HIGH_WATER) throw new Error('invalid configuration: LOW_WATER must be below HIGH_WATER');
  if (e.LEASE_TTL_MS <= e.CHECK_INTERVAL_MS) {
    throw new Error('invalid configuration: LEASE_TTL_MS must be longer than CHECK_INTERVAL_MS (the leader renews it every check)');
  }
  if (!e.INTERNAL_TOKEN) warnings.push('INTERNAL_TOKEN not set: using the development default');
  if (!e.JWT_SECRET) {
    warnings.push('JWT_SECRET not set: generated one for this run; /chat/location refuses every token until it matches the chat servers\' secret');
  }
  const redis = redisTarget(e.REDIS_URL, e.REDIS_CLUSTER_NODES);
  if (!redis) warnings.push('REDIS_URL not set: the registry and the map live in memory (run one replica only)');
  const corsList = e.CORS_ORIGINS?.split(',').map((o) => o.trim()).filter((o) => o.length > 0);
  const productionOrigins: string[] | null = production ? [] : null;
  const dispatcherId = e.DISPATCHER_ID ?? `dispatcher-${os.hostname()}-${process.pid}`;
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    redisUrl: e.REDIS_URL,
    redis,
    redisPrefix: e.REDIS_PREFIX,
    jwtSecret: e.JWT_SECRET ?? crypto.randomBytes(32).toString('hex'),
    internalToken: e.INTERNAL_TOKEN ?? 'dev-internal-token',
    dispatcherId,
    heartbeatTimeoutMs: e.HEARTBEAT_TIMEOUT_MS,
    corsOrigins: corsList && corsList.length > 0 ? corsList : productionOrigins,
    logDir: e.LOG_DIR ?? path.join(REPO_ROOT, 'logs', e.DISPATCHER_ID ? `dispatcher-${e.DISPATCHER_ID}` : 'dispatcher'),
    logLevel: e.LOG_LEVEL,
    logToConsole: !production,
    bodyLimit: e.BODY_LIMIT,
    checkIntervalMs: e.CHECK_INTERVAL_MS,
    leaseTtlMs: e.LEASE_TTL_MS,
    mapRefreshMs: e.MAP_REFRESH_MS,
    highWater: e.HIGH_WATER,
    lowWater: e.LOW_WATER,
    maxSuffixDepth: e.MAX_SUFFIX_DEPTH,
    rebalanceCooldownMs: e.REBALANCE_COOLDOWN_MS,
    mapChangeWaitMs: e.MAP_CHANGE_WAIT_MS,
    warnings,
  };
}
