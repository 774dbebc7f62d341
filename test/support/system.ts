/**
 * The whole system as real processes, for tests that kill, stop and restart
 * parts: a data service, dispatcher replicas and chat servers, on the run's
 * MongoDB-compatible server (a database of its own) and Redis, or on private
 * ones that the test may stop. Everything listens on free ports and is stopped
 * by `close()`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import {
  freePort, startMongo, startRedis, startRedisCluster, startServiceProcess, testMongoUrl, testRedisUrl,
  waitForPlacement, withDatabase,
} from '@chat/local-services';
import type {
  RunningMongo, RunningRedis, RunningRedisCluster, ServiceProcess,
} from '@chat/local-services';
import { fetchLocation } from '@chat/protocol-client';
import type { User } from '@chat/shared';

export interface SystemOptions {
  chatServers?: number;
  dispatchers?: number;
  /** Sockets per chat server before the dispatcher splits its suffixes. */
  capacity?: number;
  heartbeatTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Private database/Redis processes the test may stop and restart. */
  privateMongo?: boolean;
  privateRedis?: boolean;
  /** A local Redis Cluster of its own (3 primaries + 3 replicas) instead of one Redis, stopped by `close()`. */
  redisCluster?: boolean;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  label?: string;
}

export interface ChatServerProcess extends ServiceProcess {
  id: string;
}

export interface Account {
  up: string;
  token: string;
  user: User;
}

/**
 * Keeps what a service prints in `<dir>/output.log` (stderr too: an unhandled
 * rejection or a crash's stack lands there, not in the service's own logs),
 * again after every restart.
 */
function keepOutput(proc: ServiceProcess, dir: string): void {
  const file = path.join(dir, 'output.log');
  const attach = () => {
    fs.mkdirSync(dir, { recursive: true });
    const append = (chunk: Buffer) => fs.appendFileSync(file, chunk);
    proc.child.stdout?.on('data', append);
    proc.child.stderr?.on('data', append);
  };
  attach();
  const { start } = proc;
  Object.assign(proc, { start: async () => { await start(); attach(); } });
}

export class TestSystem {
  readonly secrets = {
    JWT_SECRET: crypto.randomBytes(24).toString('hex'),
    INTERNAL_TOKEN: crypto.randomBytes(16).toString('hex'),
  };

  readonly logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-logs-'));

  mongoUrl = '';

  redisUrl = '';

  mongo?: RunningMongo;

  redis?: RunningRedis;

  redisCluster?: RunningRedisCluster;

  data?: ServiceProcess;

  readonly dispatchers: ServiceProcess[] = [];

  readonly chatServers: ChatServerProcess[] = [];

  private chatCount = 0;

  private readonly runId = crypto.randomBytes(4).toString('hex');

  constructor(readonly options: SystemOptions = {}) {}

  private env(service: string): Record<string, string> {
    return {
      ...this.secrets,
      NODE_ENV: 'test',
      LOG_DIR: path.join(this.logDir, service),
      LOG_LEVEL: 'info',
      REDIS_URL: this.redisUrl,
      REDIS_CLUSTER_NODES: this.redisCluster?.nodesEnv ?? '',
      HEARTBEAT_TIMEOUT_MS: String(this.options.heartbeatTimeoutMs ?? 1500),
      HEARTBEAT_INTERVAL_MS: String(this.options.heartbeatIntervalMs ?? 300),
      // Each system's dispatchers keep their map apart from other test files' on the shared Redis.
      REDIS_PREFIX: `chat:${this.runId}`,
      // Tests sign many users in from one address; a test of the limit sets its own.
      AUTH_RATE_POINTS: '1000',
      ...this.options.env,
    };
  }

  async start(): Promise<this> {
    const label = this.options.label ?? 'system';
    if (this.options.privateMongo) {
      this.mongo = await startMongo({ privateServer: true });
      this.mongoUrl = withDatabase(this.mongo.url, 'chat');
    } else {
      this.mongoUrl = testMongoUrl(label);
    }
    if (this.options.redisCluster) {
      this.redisCluster = await startRedisCluster({ startTimeoutMs: 60000 });
    } else if (this.options.privateRedis) {
      this.redis = await startRedis({ privateServer: true });
      this.redisUrl = this.redis.url;
    } else {
      this.redisUrl = testRedisUrl();
    }
    this.data = await startServiceProcess({
      service: 'mongo-chat-server', env: { ...this.env('mongo-chat-server'), MONGO_URL: this.mongoUrl },
    });
    keepOutput(this.data, path.join(this.logDir, 'mongo-chat-server'));
    for (let i = 0; i < (this.options.dispatchers ?? 1); i += 1) await this.addDispatcher();
    for (let i = 0; i < (this.options.chatServers ?? 2); i += 1) await this.addChatServer();
    return this;
  }

  async addDispatcher(): Promise<ServiceProcess> {
    const id = `dispatcher-${this.dispatchers.length + 1}`;
    const dispatcher = await startServiceProcess({
      service: 'dispatcher', label: id, env: { ...this.env(id), DISPATCHER_ID: id, HOST: '127.0.0.1' },
    });
    keepOutput(dispatcher, path.join(this.logDir, id));
    this.dispatchers.push(dispatcher);
    return dispatcher;
  }

  /** Any live dispatcher's URL. */
  get dispatcherUrl(): string {
    const live = this.dispatchers.find((d) => !d.exited());
    if (!live) throw new Error('no live dispatcher');
    return live.url;
  }

  async addChatServer(extraEnv: Record<string, string> = {}): Promise<ChatServerProcess> {
    this.chatCount += 1;
    const id = `chat-${this.chatCount}`;
    const { data } = this;
    if (!data) throw new Error('start() first');
    const dispatcher = this.dispatchers[0];
    // PUBLIC_URL must be known before the port is, so pick the port first.
    const port = await freePort();
    const server = await startServiceProcess({
      service: 'chat-server',
      label: id,
      port,
      env: {
        ...this.env(id),
        HOST: '127.0.0.1',
        SERVER_ID: id,
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATA_SERVICE_URL: data.url,
        DISPATCHER_URL: dispatcher ? dispatcher.url : '',
        CAPACITY: String(this.options.capacity ?? 1000),
        ...extraEnv,
      },
    });
    keepOutput(server, path.join(this.logDir, id));
    const withId = Object.assign(server, { id });
    this.chatServers.push(withId);
    if (dispatcher) await this.waitUntilPlaced(id);
    return withId;
  }

  /** Healthy is not enough: a chat server serves users once the dispatcher's map gives it leaves. */
  waitUntilPlaced(serverId: string, timeoutMs = 20000): Promise<void> {
    return waitForPlacement(this.dispatcherUrl, this.secrets.INTERNAL_TOKEN, serverId, timeoutMs);
  }

  /** Any live chat server's URL, for REST calls. */
  get apiUrl(): string {
    const live = this.chatServers.find((s) => !s.exited());
    if (!live) throw new Error('no live chat server');
    return live.url;
  }

  async register(up: string, password = 'correct horse battery'): Promise<Account> {
    const res = await fetch(`${this.apiUrl}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        up, username: `user${up}`, name: `User ${up}`, password,
      }),
    });
    const body = await res.json() as { token: string; user: User };
    if (res.status !== 201) throw new Error(`register ${up}: ${res.status} ${JSON.stringify(body)}`);
    return { up, token: body.token, user: body.user };
  }

  /** A token exactly like the chat server's (HS256, `{sub: up, username}`), without a login round trip. */
  signToken(up: string, username = `user${up}`): string {
    return jwt.sign({ username }, this.secrets.JWT_SECRET, { algorithm: 'HS256', expiresIn: 3600, subject: up });
  }

  /**
   * Many users at once, created straight through the data service (the public
   * /auth routes are rate-limited per IP, as they should be).
   */
  async createAccounts(ups: string[]): Promise<Account[]> {
    const { data } = this;
    if (!data) throw new Error('start() first');
    const out: Account[] = [];
    for (let i = 0; i < ups.length; i += 10) {
      out.push(...await Promise.all(ups.slice(i, i + 10).map(async (up) => {
        const res = await fetch(`${data.url}/user`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-internal-token': this.secrets.INTERNAL_TOKEN },
          body: JSON.stringify({
            up, username: `user${up}`, name: `User ${up}`, password: 'correct horse battery',
          }),
        });
        const user = await res.json() as User;
        if (res.status !== 201) throw new Error(`create ${up}: ${res.status} ${JSON.stringify(user)}`);
        return { up, token: this.signToken(up), user };
      })));
    }
    return out;
  }

  async registerMany(ups: string[]): Promise<Account[]> {
    const out: Account[] = [];
    // A few at a time: password hashing is deliberately slow.
    for (let i = 0; i < ups.length; i += 8) {
      out.push(...await Promise.all(ups.slice(i, i + 8).map((up) => this.register(up))));
    }
    return out;
  }

  async createGroup(owner: Account, name: string, members: string[]): Promise<string> {
    const res = await fetch(`${this.apiUrl}/chat/groups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({ name, users: members }),
    });
    const body = await res.json() as { id: string };
    if (res.status !== 201) throw new Error(`create group: ${res.status} ${JSON.stringify(body)}`);
    return body.id;
  }

  /** Where the dispatcher places the bearer of `token` (the dispatcher always names its map's version). */
  async locate(token: string): Promise<{ url: string; serverId: string; mapVersion: number }> {
    const place = await fetchLocation(this.dispatcherUrl, token);
    return { ...place, mapVersion: place.mapVersion ?? 0 };
  }

  /** Every log line every service wrote, for checks on what logs may contain. */
  readLogs(): string {
    const files: string[] = [];
    const walk = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).forEach((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p); else files.push(p);
    });
    walk(this.logDir);
    return files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.chatServers.map((s) => s.stop(5000)));
    await Promise.all(this.dispatchers.map((d) => d.stop(5000)));
    // Its close ends the notification outbox's pass under way and goes on for 3 s at most, which with a long
    // outbox pass can pass 5 s; a profiled run waits for it, since a process killed at the end of its grace writes no
    // CPU profile.
    await this.data?.stop(process.env.SERVICE_CPU_PROF_DIR ? 60000 : 5000);
    await this.redis?.stop();
    await this.redisCluster?.stop();
    await this.mongo?.destroy();
    if (!process.env.KEEP_TEST_LOGS) fs.rmSync(this.logDir, { recursive: true, force: true });
  }
}

export async function startSystem(options: SystemOptions = {}): Promise<TestSystem> {
  const system = new TestSystem(options);
  try {
    return await system.start();
  } catch (err) {
    await system.close();
    throw err;
  }
}
