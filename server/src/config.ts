/**
 * The chat server's configuration: every environment variable read and
 * validated here, once, with defaults that start on a bare machine.
 */
import { z } from 'zod';
import {
  baseConfig, baseEnvShape, clusterNodesSchema, jwtSecretOrRandom, optionalUrl, parseOrigins,
  positiveInt, readEnv, redisTarget, serviceId,
} from '@chat/shared';
import type { BaseConfig, OriginPolicy, RedisTarget } from '@chat/shared';
import { parseTrustProxy } from './http/client-address';
import type { TrustProxy } from './http/client-address';

const DURATION_UNITS: Record<string, number> = {
  s: 1, m: 60, h: 3600, d: 86400,
};

/** "12h", "30m", "45s", "2d" or plain seconds → seconds. */
const duration = (fallback: string) => z.string().default(fallback).transform((text, ctx) => {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 12h, 30m or 3600' });
    return z.NEVER;
  }
  return Number(match[1]) * (DURATION_UNITS[match[2] || 's'] ?? 1);
});

const ENV_SHAPE = {
  ...baseEnvShape({ host: '0.0.0.0', port: 4000 }),
  SERVER_ID: serviceId().optional(),
  PUBLIC_URL: optionalUrl(),
  DATA_SERVICE_URL: z.string().url().default('http://127.0.0.1:3000'),
  JWT_SECRET: z.string().min(16).optional(),
  /** Life of an access token (renewed with the refresh token). */
  ACCESS_TOKEN_TTL: duration('15m'),
  /** Life of a session (its refresh token) from sign-in. */
  SESSION_TTL: duration('30d'),
  /** How long a chat server trusts what the data service said about a session. */
  SESSION_RECHECK_MS: positiveInt(30000),
  REDIS_URL: optionalUrl(),
  /** A Redis Cluster instead: some of its nodes, `host:port,…`. */
  REDIS_CLUSTER_NODES: clusterNodesSchema(),
  /** Namespace of this deployment's keys and channels in a Redis it may share. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/).default('chat'),
  DISPATCHER_URL: optionalUrl(),
  CAPACITY: positiveInt(1000),
  CORS_ORIGINS: z.string().optional(),
  MAX_CONNECTIONS_PER_IP: positiveInt(500),
  /** Which peers may state the client's address in X-Forwarded-For (Express `trust proxy` syntax). */
  TRUST_PROXY: z.string().default('false').transform((text, ctx) => {
    try {
      return parseTrustProxy(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  HEARTBEAT_INTERVAL_MS: positiveInt(2000),
  PRESENCE_GRACE_MS: z.coerce.number().int().min(0).default(3000),
  PRESENCE_FLUSH_MS: positiveInt(1000),
  // Opt-in window an idle send waits to gather others; 0: it goes at once, batches form only under load.
  SEND_BATCH_MS: z.coerce.number().int().min(0).default(0),
  SEND_BATCH_MAX: z.coerce.number().int().min(1).max(100)
    .default(50),
  // Send batches at the data service at once (a group in one of them at most).
  SEND_BATCH_IN_FLIGHT: z.coerce.number().int().min(1).max(16)
    .default(4),
  SOCKET_MESSAGE_POINTS: positiveInt(20),
  SOCKET_MESSAGE_WINDOW_S: positiveInt(5),
  AUTH_RATE_POINTS: positiveInt(20),
  AUTH_RATE_WINDOW_S: positiveInt(60),
  SIGNIN_ACCOUNT_POINTS: positiveInt(10),
  SIGNIN_ACCOUNT_WINDOW_S: positiveInt(900),
  REST_RATE_POINTS: positiveInt(300),
  REST_RATE_WINDOW_S: positiveInt(60),
  RECENT_BUFFER_SIZE: positiveInt(300),
  CATCH_UP_LIMIT: positiveInt(500),
  RELOCATE_BATCH_SIZE: positiveInt(50),
  RELOCATE_BATCH_MS: positiveInt(200),
  OWNERSHIP_GRACE_MS: z.coerce.number().int().min(0).default(10000),
  /** Largest attachment, in bytes (docs/attachments.md). */
  ATTACHMENT_MAX_BYTES: positiveInt(25 * 1024 * 1024),
  /** Bytes one user may upload in one UTC day. */
  ATTACHMENT_DAILY_BYTES: positiveInt(250 * 1024 * 1024),
};

export interface ChatServerConfig extends Omit<BaseConfig, 'production' | 'logDir'>, OriginPolicy {
  /** Default `chat-<port>`; with port 0, the port actually bound. */
  serverId?: string;
  /** Where clients reach this server; default `http://localhost:<port>`. */
  publicUrl?: string;
  dataServiceUrl: string;
  jwtSecret: string;
  /** Access token life, seconds. */
  jwtTtlSeconds: number;
  sessionTtlSeconds: number;
  sessionRecheckMs: number;
  redisUrl?: string;
  /** The Redis to use (REDIS_URL or REDIS_CLUSTER_NODES); none: one server, in-memory adapter. */
  redis?: RedisTarget;
  /** Prefix of every key and pub/sub channel the chat servers use in Redis. */
  redisPrefix: string;
  dispatcherUrl?: string;
  capacity: number;
  maxConnectionsPerIp: number;
  /** Proxies whose X-Forwarded-For is believed (per-IP limits then count the real client). */
  trustProxy: TrustProxy;
  heartbeatIntervalMs: number;
  /** Folder for requests.log, combined.log and error.log; undefined: console errors only. */
  logDir?: string;
  logToConsole: boolean;
  presenceGraceMs: number;
  presenceFlushMs: number;
  sendBatchMs: number;
  sendBatchMax: number;
  sendBatchInFlight: number;
  socketMessagePoints: number;
  socketMessageWindowS: number;
  authRatePoints: number;
  authRateWindowS: number;
  /** Failed sign-ins per account per window (all chat servers together). */
  signInAccountPoints: number;
  signInAccountWindowS: number;
  /** Authenticated REST calls per user per window (all chat servers together). */
  restRatePoints: number;
  restRateWindowS: number;
  recentBufferSize: number;
  catchUpLimit: number;
  relocateBatchSize: number;
  relocateBatchMs: number;
  ownershipGraceMs: number;
  /** Largest attachment, in bytes. */
  attachmentMaxBytes: number;
  /** Bytes one user may upload in one UTC day. */
  attachmentDailyBytes: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ChatServerConfig {
  const e = readEnv(ENV_SHAPE, env);
  const { production, logDir, ...base } = baseConfig(e, {
    logFolder: e.SERVER_ID ? `chat-server-${e.SERVER_ID}` : 'chat-server', requiredInProduction: { JWT_SECRET: e.JWT_SECRET },
  });
  const jwtSecret = jwtSecretOrRandom(e.JWT_SECRET, base.warnings, 'tokens end with the process');
  return {
    ...base,
    serverId: e.SERVER_ID,
    publicUrl: e.PUBLIC_URL,
    dataServiceUrl: e.DATA_SERVICE_URL.replace(/\/+$/, ''),
    jwtSecret,
    jwtTtlSeconds: e.ACCESS_TOKEN_TTL,
    sessionTtlSeconds: e.SESSION_TTL,
    sessionRecheckMs: e.SESSION_RECHECK_MS,
    redisUrl: e.REDIS_URL,
    redis: redisTarget(e.REDIS_URL, e.REDIS_CLUSTER_NODES),
    redisPrefix: e.REDIS_PREFIX,
    dispatcherUrl: e.DISPATCHER_URL?.replace(/\/+$/, ''),
    capacity: e.CAPACITY,
    corsOrigins: parseOrigins(e.CORS_ORIGINS, production),
    maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
    trustProxy: e.TRUST_PROXY,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    logDir,
    logToConsole: !production,
    presenceGraceMs: e.PRESENCE_GRACE_MS,
    presenceFlushMs: e.PRESENCE_FLUSH_MS,
    sendBatchMs: e.SEND_BATCH_MS,
    sendBatchMax: e.SEND_BATCH_MAX,
    sendBatchInFlight: e.SEND_BATCH_IN_FLIGHT,
    socketMessagePoints: e.SOCKET_MESSAGE_POINTS,
    socketMessageWindowS: e.SOCKET_MESSAGE_WINDOW_S,
    authRatePoints: e.AUTH_RATE_POINTS,
    authRateWindowS: e.AUTH_RATE_WINDOW_S,
    signInAccountPoints: e.SIGNIN_ACCOUNT_POINTS,
    signInAccountWindowS: e.SIGNIN_ACCOUNT_WINDOW_S,
    restRatePoints: e.REST_RATE_POINTS,
    restRateWindowS: e.REST_RATE_WINDOW_S,
    recentBufferSize: e.RECENT_BUFFER_SIZE,
    catchUpLimit: e.CATCH_UP_LIMIT,
    relocateBatchSize: e.RELOCATE_BATCH_SIZE,
    relocateBatchMs: e.RELOCATE_BATCH_MS,
    ownershipGraceMs: e.OWNERSHIP_GRACE_MS,
    attachmentMaxBytes: e.ATTACHMENT_MAX_BYTES,
    attachmentDailyBytes: e.ATTACHMENT_DAILY_BYTES,
  };
}
