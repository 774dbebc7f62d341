/**
 * Test harness in the manner of @socket.io/redis-adapter's own tests: one real
 * data service (on its own database of the shared test server) per test file,
 * and per test N chat servers in this process (port 0, one Redis or a Redis
 * Cluster), users with tokens, and connected socket.io clients — all closed
 * after each test.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connectClient } from 'socket.io-client';
import type { Socket as ClientSocket } from 'socket.io-client';
import mongoose from 'mongoose';
import { startRedisCluster, testMongoUrl, testRedisUrl } from '@chat/local-services';
import type { RunningRedisCluster } from '@chat/local-services';
import { readConfig as readDispatcherConfig } from '@chat/dispatcher/src/config';
import { startDispatcher } from '@chat/dispatcher';
import { loadConfig as loadDataConfig } from '@chat/mongo-chat-server/src/config';
import { startDataService } from '@chat/mongo-chat-server';
import type {
  Ack, ChatMessagePayload, ClientToServerEvents, OffsetPage, ServerToClientEvents, User,
} from '@chat/shared';
import { readConfig } from '../../src/config';
import type { ChatServerConfig } from '../../src/config';
import { startChatServer } from '../../src/service';
import type { RunningChatServer } from '../../src/service';

export type ChatClient = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

export const INTERNAL_TOKEN = 'test-internal-token';
export const JWT_SECRET = 'test-jwt-secret-0123456789abcdef';

const LOG_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-server-test-'));

export interface DataTier {
  url: string;
  mongoUrl: string;
  /** Stops the service and keeps the database (to start it again). */
  stop: () => Promise<void>;
  /** Stops the service and drops the database. */
  close: () => Promise<void>;
}

/** The data service on a fresh database (or `mongoUrl`'s), on `port` (default: any free one). */
export async function startDataTier(
  label: string,
  options: { port?: number; mongoUrl?: string } = {},
): Promise<DataTier> {
  const mongoUrl = options.mongoUrl ?? testMongoUrl(label);
  const { config } = loadDataConfig({
    MONGO_URL: mongoUrl,
    HOST: '127.0.0.1',
    PORT: String(options.port ?? 0),
    INTERNAL_TOKEN,
    PASSWORD_HASH_MEMORY_KIB: '1024',
    LOG_DIR: path.join(LOG_ROOT, `data-${label}`),
    LOG_LEVEL: 'error',
  });
  const service = await startDataService({ ...config, logConsole: false });
  return {
    url: service.url,
    mongoUrl,
    stop: () => service.close(),
    close: async () => {
      await service.close();
      const conn = await mongoose.createConnection(mongoUrl, { serverSelectionTimeoutMS: 5000 }).asPromise();
      try {
        await conn.dropDatabase();
      } finally {
        await conn.close();
      }
    },
  };
}

/** A chat server configuration for tests: fast timers, generous auth limit, logs in a temp folder. */
export function chatConfig(dataUrl: string, env: Record<string, string> = {}): ChatServerConfig {
  return readConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_SERVICE_URL: dataUrl,
    INTERNAL_TOKEN,
    JWT_SECRET,
    REDIS_URL: testRedisUrl(),
    LOG_DIR: path.join(LOG_ROOT, `chat-${crypto.randomBytes(3).toString('hex')}`),
    LOG_LEVEL: 'warn',
    AUTH_RATE_POINTS: '1000',
    REST_RATE_POINTS: '100000',
    PRESENCE_GRACE_MS: '300',
    PRESENCE_FLUSH_MS: '200',
    ...env,
  });
}

/**
 * A Redis the multi-server suites run on. Like @socket.io/redis-adapter's own
 * tests, one suite runs against every flavour: the shared test Redis, and a
 * Redis Cluster that the suite starts in its `before` and stops in its `after`.
 */
export interface RedisFlavour {
  name: string;
  start: () => Promise<void>;
  stop: () => Promise<void>;
  /** The environment pointing a chat server or a dispatcher at this Redis. */
  env: () => Record<string, string>;
  /** The running cluster (cluster flavour, once started). */
  cluster: () => RunningRedisCluster | undefined;
}

export function redisFlavours(): RedisFlavour[] {
  let running: RunningRedisCluster | undefined;
  return [
    {
      name: 'one Redis',
      start: async () => {},
      stop: async () => {},
      env: () => ({ REDIS_URL: testRedisUrl(), REDIS_CLUSTER_NODES: '' }),
      cluster: () => undefined,
    },
    {
      name: 'a Redis Cluster',
      start: async () => { running = await startRedisCluster({ startTimeoutMs: 60000 }); },
      stop: async () => { await running?.stop(); running = undefined; },
      env: () => {
        if (!running) throw new Error('the Redis Cluster is not started');
        return { REDIS_URL: '', REDIS_CLUSTER_NODES: running.nodesEnv };
      },
      cluster: () => running,
    },
  ];
}

export interface TestDispatcher {
  url: string;
  close: () => Promise<void>;
}

/** A real dispatcher in this process (its map in memory) for the chat servers under test to register with. */
export function startTestDispatcher(name: string, env: Record<string, string> = {}): Promise<TestDispatcher> {
  return startDispatcher({
    ...readDispatcherConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      JWT_SECRET,
      INTERNAL_TOKEN,
      HEARTBEAT_TIMEOUT_MS: '3000',
      LOG_DIR: path.join(os.tmpdir(), `chat-server-test-${name}`),
      LOG_LEVEL: 'warn',
      ...env,
    }),
    logToConsole: false,
  });
}

export interface TestUser {
  up: string;
  username: string;
  token: string;
  user: User;
}

let upCounter = 0;
/** A user number unique to this run: digits, like the seed's UP numbers. */
export const freshUp = (): string => {
  upCounter += 1;
  return `${Date.now() % 1e9}${String(upCounter).padStart(4, '0')}`;
};

export const PASSWORD = 'correct horse battery';

export class Cluster {
  readonly servers: RunningChatServer[] = [];

  private readonly clients: ChatClient[] = [];

  /** The cluster's own namespace on the shared test Redis: no other test file's presence or limits leak in. */
  readonly redisPrefix = `chat:test:${crypto.randomBytes(4).toString('hex')}`;

  /** `redisEnv`: which Redis the servers use (default: the shared test Redis). */
  constructor(readonly data: DataTier, private readonly redisEnv: Record<string, string> = {}) {}

  async addServer(
    env: Record<string, string> = {},
    overrides: Partial<ChatServerConfig> = {},
  ): Promise<RunningChatServer> {
    const server = await startChatServer({
      ...chatConfig(this.data.url, { REDIS_PREFIX: this.redisPrefix, ...this.redisEnv, ...env }),
      logToConsole: false,
      ...overrides,
    });
    this.servers.push(server);
    return server;
  }

  server(index = 0): RunningChatServer {
    const server = this.servers[index];
    if (!server) throw new Error(`no chat server ${index}`);
    return server;
  }

  /** A new account; `lastDigit` picks where the placement map puts it. */
  async register(serverIndex = 0, lastDigit: number | undefined = undefined): Promise<TestUser> {
    const up = lastDigit === undefined ? freshUp() : `${freshUp()}${lastDigit}`;
    const username = `u${up}`;
    const res = await fetch(`${this.server(serverIndex).url}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        up, username, name: `User ${up}`, password: PASSWORD,
      }),
    });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
    const body = await res.json() as { token: string; user: User };
    return {
      up, username, token: body.token, user: body.user,
    };
  }

  async users(count: number): Promise<TestUser[]> {
    const users: TestUser[] = [];
    for (let i = 0; i < count; i += 1) users.push(await this.register());
    return users;
  }

  /** A REST call as `user` (or anonymous) on one chat server; answers `{status, body}`. */
  async rest(method: string, pathname: string, options: { user?: TestUser; body?: unknown; server?: number } = {}) {
    const headers: Record<string, string> = {};
    if (options.user) headers.authorization = `Bearer ${options.user.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.server(options.server ?? 0).url}${pathname}`, {
      method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) as unknown : undefined };
  }

  /** A group's history as `user` reads it over REST (up to 100 messages, ascending seq). */
  async history(user: TestUser, group: string): Promise<ChatMessagePayload[]> {
    const res = await this.rest('GET', `/chat/${group}/message?perPage=100`, { user });
    if (res.status !== 200) throw new Error(`history failed: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as OffsetPage<ChatMessagePayload>).items;
  }

  /** A group created over REST by `owner` with `members`. */
  async group(owner: TestUser, members: TestUser[], name = 'test group'): Promise<string> {
    const res = await this.rest('POST', '/chat/groups', {
      user: owner, body: { name, users: members.map((m) => m.up) },
    });
    if (res.status !== 201) throw new Error(`group create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: string }).id;
  }

  /** A socket client, not yet connected. */
  client(token: string | undefined, serverIndex = 0, transports: string[] = ['websocket']): ChatClient {
    const client: ChatClient = connectClient(this.server(serverIndex).url, {
      auth: token === undefined ? {} : { token },
      transports,
      reconnection: false,
      forceNew: true,
      timeout: 5000,
    });
    this.clients.push(client);
    return client;
  }

  /** A connected client of `user` (the server has put it in all its rooms). */
  async connect(user: TestUser, serverIndex = 0, transports: string[] = ['websocket']): Promise<ChatClient> {
    const client = this.client(user.token, serverIndex, transports);
    await connected(client);
    return client;
  }

  async close(): Promise<void> {
    this.clients.forEach((c) => c.disconnect());
    await Promise.all(this.servers.splice(0).map((s) => s.close()));
  }
}

export function connected(client: ChatClient): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.connected) { resolve(); return; }
    client.once('connect', () => resolve());
    client.once('connect_error', (err) => reject(err));
  });
}

/** The connect_error a refused client gets: `{message, data}`. */
export function refusal(client: ChatClient): Promise<{ message: string; data: unknown }> {
  return new Promise((resolve, reject) => {
    client.once('connect', () => reject(new Error('connected, but a refusal was expected')));
    client.once('connect_error', (err) => resolve({ message: err.message, data: (err as Error & { data?: unknown }).data }));
  });
}

type EventName = keyof ClientToServerEvents;

/** Emits with an ack and resolves with the answer (rejects after `ms`). */
export function request<T extends object = object>(
  client: ChatClient,
  event: EventName,
  payload: unknown,
  ms = 8000,
): Promise<Ack<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event} within ${ms} ms`)), ms);
    // The payload is deliberately untyped: tests also send what a typed client cannot.
    const emit = client.emit.bind(client) as unknown as (e: string, p: unknown, cb: (a: Ack<T>) => void) => void;
    emit(event, payload, (answer) => { clearTimeout(timer); resolve(answer); });
  });
}

/** Resolves with the first `event` that passes `match` (rejects after `ms`). */
export function next<E extends keyof ServerToClientEvents>(
  client: ChatClient,
  event: E,
  match: (...args: Parameters<ServerToClientEvents[E]>) => boolean = () => true,
  ms = 8000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener as never);
      reject(new Error(`no ${String(event)} within ${ms} ms`));
    }, ms);
    function listener(...args: Parameters<ServerToClientEvents[E]>) {
      if (!match(...args)) return;
      clearTimeout(timer);
      client.off(event, listener as never);
      resolve(args[0]);
    }
    client.on(event, listener as never);
  });
}

/** Every `event` from now on, in arrival order. */
export function collect<E extends keyof ServerToClientEvents>(
  client: ChatClient,
  event: E,
): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  client.on(event, ((arg: Parameters<ServerToClientEvents[E]>[0]) => { seen.push(arg); }) as never);
  return seen;
}

export const sleep = (ms: number) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Polls `check` until it returns true (rejects after `ms`). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`${what} not reached within ${ms} ms`);
}

export const clientId = () => crypto.randomUUID();
