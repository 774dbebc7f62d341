/**
 * Test support for the dispatcher: an in-process dispatcher on a Redis prefix
 * of its own, user tokens, and fake chat servers (plain HTTP calls that
 * register and heartbeat the way a chat server does).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { createClient } from 'redis';
import { testRedisUrl } from '@chat/local-services';
import type { PlacementMap } from '@chat/shared';
import { readConfig } from '../src/config';
import type { DispatcherConfig } from '../src/config';
import { startDispatcher } from '../src/service';
import type { RunningDispatcher } from '../src/service';

export const JWT_SECRET = crypto.randomBytes(24).toString('hex');
export const INTERNAL_TOKEN = crypto.randomBytes(16).toString('hex');
export const HEARTBEAT_TIMEOUT_MS = 1000;
export const BEAT_EVERY_MS = 150;

export const sleep = (ms: number) => new Promise((r) => { setTimeout(r, ms); });

/** Retries `check` until it stops throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await sleep(everyMs);
  }
}

export const userToken = (up: string, options: jwt.SignOptions = {}, secret = JWT_SECRET) => jwt.sign(
  { username: `user${up}` },
  secret,
  {
    algorithm: 'HS256', expiresIn: 600, subject: up, ...options,
  },
);

export interface TestDispatcher extends RunningDispatcher {
  config: DispatcherConfig;
}

const logDirs: string[] = [];

/** A dispatcher for tests: Redis under `prefix` (none: the in-memory store), short timeouts, quiet logs. */
export async function startTestDispatcher(
  prefix: string | null,
  env: Record<string, string> = {},
): Promise<TestDispatcher> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatcher-test-'));
  logDirs.push(logDir);
  const config = {
    ...readConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      JWT_SECRET,
      INTERNAL_TOKEN,
      REDIS_URL: prefix === null ? '' : testRedisUrl(),
      REDIS_PREFIX: prefix ?? 'unused',
      HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS),
      CHECK_INTERVAL_MS: '150',
      LEASE_TTL_MS: '1000',
      MAP_REFRESH_MS: '200',
      REBALANCE_COOLDOWN_MS: '0',
      LOG_DIR: logDir,
      ...env,
    }),
    logToConsole: false,
  };
  const running = await startDispatcher(config);
  return { ...running, config };
}

export function removeLogDirs(): void {
  logDirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
}

export const uniquePrefix = (label: string) => `test:${label}:${crypto.randomBytes(3).toString('hex')}`;

/** Deletes every Redis key under `prefix` (plain or as a hash tag). */
export async function dropPrefix(prefix: string): Promise<void> {
  const client = createClient({ url: testRedisUrl() });
  await client.connect();
  const keys: string[] = [];
  for (const match of [`${prefix}:*`, `{${prefix}}:*`]) {
    for await (const key of client.scanIterator({ MATCH: match, COUNT: 100 })) keys.push(key);
  }
  if (keys.length > 0) await client.del(keys);
  await client.quit();
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

export async function call(
  base: string,
  method: string,
  route: string,
  options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null) headers['x-internal-token'] = options.token ?? INTERNAL_TOKEN;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${route}`, {
    method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) as unknown : undefined };
}

export async function locate(base: string, up: string): Promise<JsonResponse> {
  return call(base, 'GET', '/chat/location', { token: null, headers: { authorization: `Bearer ${userToken(up)}` } });
}

/**
 * A chat server as the dispatcher sees one: it registers, then heartbeats its
 * load (computed by `report` from the map it last received) until stopped.
 */
export class FakeChatServer {
  map: PlacementMap | undefined;

  private timer: NodeJS.Timeout | undefined;

  constructor(
    public dispatcherUrl: string,
    readonly id: string,
    readonly capacity = 100,
    public report: (self: FakeChatServer) => { load: number; leafLoads?: Record<string, number> } = () => ({ load: 0 }),
  ) {}

  get url(): string {
    return `http://${this.id}.test:4000`;
  }

  async register(): Promise<JsonResponse> {
    const res = await call(this.dispatcherUrl, 'POST', '/dispatcher/servers', {
      body: {
        id: this.id, url: this.url, capacity: this.capacity, ...this.report(this),
      },
    });
    if (res.status === 200) this.map = (res.body as { map: PlacementMap }).map;
    return res;
  }

  async beat(): Promise<JsonResponse> {
    const res = await call(this.dispatcherUrl, 'PUT', `/dispatcher/servers/${this.id}/heartbeat`, {
      body: { url: this.url, capacity: this.capacity, ...this.report(this) },
    });
    if (res.status === 200) this.map = (res.body as { map: PlacementMap }).map;
    return res;
  }

  /** Registers, then beats every BEAT_EVERY_MS (registering again after a 404, as a chat server does). */
  async start(): Promise<void> {
    const res = await this.register();
    if (res.status !== 200) throw new Error(`register ${this.id}: ${res.status} ${JSON.stringify(res.body)}`);
    this.timer = setInterval(() => {
      this.beat().then((r) => (r.status === 404 ? this.register() : r)).catch(() => undefined);
    }, BEAT_EVERY_MS);
  }

  stopBeating(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Graceful shutdown: stop beating and deregister. */
  async leave(): Promise<JsonResponse> {
    this.stopBeating();
    return call(this.dispatcherUrl, 'DELETE', `/dispatcher/servers/${this.id}`);
  }
}

export const leavesOwnedBy = (map: PlacementMap, id: string) => Object.keys(map.leaves)
  .filter((leaf) => map.leaves[leaf] === id);

export async function currentMap(base: string): Promise<PlacementMap> {
  const res = await call(base, 'GET', '/dispatcher/servers');
  if (res.status !== 200) throw new Error(`GET /dispatcher/servers: ${res.status}`);
  return (res.body as { map: PlacementMap }).map;
}
