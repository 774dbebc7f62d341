/**
 * The data service's configuration: every environment variable read and
 * validated here, once, with defaults that start on a bare machine.
 */
import { z } from 'zod';
import { baseConfig, baseEnvShape, readEnv } from '@chat/shared';
import type { ReadPreference, WriteConcernSetting } from './db/connection';
import type { NotifyConfig } from './notifications';

export const SERVICE_NAME = 'mongo-chat-server';

const ENV_SHAPE = {
  ...baseEnvShape({ host: '127.0.0.1', port: 3000 }),
  MONGO_URL: z.string()
    .regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// URL')
    .default('mongodb://127.0.0.1:27017/chat'),
  /** Where reads go on a replica set. */
  MONGO_READ_PREFERENCE: z.enum(['primary', 'primaryPreferred', 'secondary', 'secondaryPreferred', 'nearest'])
    .default('primary'),
  /** `auto` (majority on a replica set, the server's default elsewhere), `majority`, or a member count. */
  MONGO_WRITE_CONCERN: z.string().regex(/^(auto|majority|\d+)$/, 'expected auto, majority or a number').default('auto'),
  // argon2 accepts at least 8 KiB per lane; 19456 KiB is OWASP's argon2id baseline.
  PASSWORD_HASH_MEMORY_KIB: z.coerce.number().int().min(1024).max(1048576)
    .default(19456),
  /** Seconds after sending during which an author may edit a message; unset or empty: no limit. */
  EDIT_WINDOW_S: z.literal('').transform(() => undefined).or(z.coerce.number().int().min(1)).optional(),
  /** The most messages one search reads where the database has no text index (docs/search.md). */
  SEARCH_SCAN_LIMIT: z.coerce.number().int().min(100).max(100000)
    .default(2000),
  /** The notifications component that receives digests (docs/notifications.md); unset: no webhook. */
  NOTIFY_URL: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).optional(),
  /** The HMAC-SHA256 key of X-Chat-Signature; required with NOTIFY_URL. */
  NOTIFY_SECRET: z.union([z.literal(''), z.string().min(16, 'at least 16 characters')]).optional(),
  /** At most one digest per user per this many seconds. */
  NOTIFY_DIGEST_S: z.coerce.number().min(0).max(86400).default(300),
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600000)
    .default(1000),
  NOTIFY_RETRY_MAX_MS: z.coerce.number().int().min(10).max(86400000)
    .default(300000),
  NOTIFY_LEASE_S: z.coerce.number().min(0.2).max(600).default(15),
};

export interface DataServiceConfig {
  host: string;
  port: number;
  mongoUrl: string;
  readPreference?: ReadPreference;
  writeConcern?: WriteConcernSetting;
  internalToken: string;
  bodyLimit: string;
  passwordHashMemoryKib: number;
  /** Seconds after sending during which the author may edit (EDIT_WINDOW_S); undefined: unlimited. */
  editWindowS?: number;
  /** Notifications (docs/notifications.md); omitted: the in-app list only, no webhook. */
  notify?: NotifyConfig;
  /** Folder for requests.log, combined.log and error.log; omitted: console only. */
  logDir?: string;
  logLevel: string;
  /** Also log to the console (the process started from the environment does). */
  logConsole?: boolean;
  /** How long a database call waits for a reachable server before answering 503. */
  serverSelectionTimeoutMs?: number;
  /**
   * How long a database call waits on a connection that has gone silent (a
   * server that accepted the call and never answers, a dropped network path)
   * before the connection is dropped and the call answers 503. Every send goes
   * through one serialized writer, so without this bound one silent socket
   * would hold every later send.
   */
  socketTimeoutMs?: number;
  /** How long the start waits for the database before giving up. */
  connectTimeoutMs?: number;
  /** An upload still pending after this long was cut off and is removed (default 10 minutes). */
  pendingUploadMaxAgeMs?: number;
  /** Logged once logging is up (e.g. the development internal token is in use). */
  warnings?: string[];
  /** Search bounds and, for tests, the engine (docs/search.md). */
  search?: { scanLimit?: number; maxTimeMs?: number; engine?: 'text' | 'scan' };
}

export interface LoadedConfig {
  config: DataServiceConfig;
  /** Things worth a warning line once logging is up. */
  warnings: string[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const e = readEnv(ENV_SHAPE, env);
  const base = baseConfig(e, { logFolder: SERVICE_NAME });
  if (e.NOTIFY_URL && !e.NOTIFY_SECRET) throw new Error('NOTIFY_SECRET: required when NOTIFY_URL is set');
  return {
    config: {
      host: base.host,
      port: base.port,
      mongoUrl: e.MONGO_URL,
      readPreference: e.MONGO_READ_PREFERENCE,
      writeConcern: /^\d+$/.test(e.MONGO_WRITE_CONCERN) ? Number(e.MONGO_WRITE_CONCERN)
        : e.MONGO_WRITE_CONCERN as WriteConcernSetting,
      internalToken: base.internalToken,
      bodyLimit: base.bodyLimit,
      passwordHashMemoryKib: e.PASSWORD_HASH_MEMORY_KIB,
      editWindowS: e.EDIT_WINDOW_S,
      notify: {
        url: e.NOTIFY_URL || undefined,
        secret: e.NOTIFY_SECRET ?? '',
        digestMs: e.NOTIFY_DIGEST_S * 1000,
        retryBaseMs: e.NOTIFY_RETRY_BASE_MS,
        retryMaxMs: e.NOTIFY_RETRY_MAX_MS,
        leaseMs: e.NOTIFY_LEASE_S * 1000,
        sweepMs: 30000,
        // Digests go out every NOTIFY_DIGEST_S and mentions are told live: three seconds of gathering cost the
        // in-app list little and spare a busy room's scans.
        gatherMs: 3000,
      },
      logDir: base.logDir,
      logLevel: base.logLevel,
      logConsole: true,
      search: { scanLimit: e.SEARCH_SCAN_LIMIT },
    },
    warnings: base.warnings,
  };
}
