/**
 * Shared setup for the data service's tests: a service on port 0 over a fresh
 * database of the shared test server, a token-carrying supertest client, a
 * direct view of the stored documents, and small builders for fixtures.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import type { Group, StoredMessage, User } from '@chat/shared';
import { testMongoUrl } from '@chat/local-services';
import type { DataServiceConfig } from '../src/config';
import { startDataService } from '../src/service';
import type { DataService } from '../src/service';

// The repository's shared test support lives at the root, outside every workspace.
// eslint-disable-next-line import/no-relative-packages
export { assertMatchesSpec } from '../../test/support/openapi';

export const TOKEN = 'test-internal-token';
export const PASSWORD = 'correct horse battery';

export type Api = ReturnType<typeof apiFor>;

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One call by method name; `token` undefined sends no internal token at all. */
export function call(url: string, token: string | undefined, method: Method, p: string, body?: object): request.Test {
  const test = request(url)[method](p);
  if (token !== undefined) test.set('x-internal-token', token);
  return body === undefined ? test : test.send(body);
}

/** supertest calls that carry the internal token. */
export function apiFor(url: string, token: string = TOKEN) {
  const agent = request(url);
  return {
    call: (method: Method, p: string, body?: object) => call(url, token, method, p, body),
    get: (p: string) => agent.get(p).set('x-internal-token', token),
    post: (p: string, body?: object) => agent.post(p).set('x-internal-token', token).send(body),
    put: (p: string, body?: object) => agent.put(p).set('x-internal-token', token).send(body),
    patch: (p: string, body?: object) => agent.patch(p).set('x-internal-token', token).send(body),
    delete: (p: string) => agent.delete(p).set('x-internal-token', token),
  };
}

/** How many `command`s on `collection` the service has sent to the database (its /metrics). */
export async function commandsSent(api: Api, command: string, collection: string): Promise<number> {
  const res = await api.get('/metrics');
  assert.equal(res.status, 200);
  const labels = [`command="${command}"`, `collection="${collection}"`];
  return res.text.split('\n')
    .filter((line) => line.startsWith('database_commands_total{') && labels.every((l) => line.includes(l)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

export function testConfig(
  mongoUrl: string,
  logDir: string,
  overrides: Partial<DataServiceConfig> = {},
): DataServiceConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    mongoUrl,
    internalToken: TOKEN,
    bodyLimit: '64kb',
    passwordHashMemoryKib: 4096,
    logDir,
    logLevel: 'info',
    logConsole: false,
    serverSelectionTimeoutMs: 1500,
    connectTimeoutMs: 15000,
    ...overrides,
  };
}

export interface Counts {
  users: number;
  groups: number;
  memberships: number;
  messages: number;
}

export interface Harness {
  service: DataService;
  url: string;
  api: Api;
  mongoUrl: string;
  logDir: string;
  /** A direct connection to the same database, to look at what is stored. */
  db: Connection;
  counts: () => Promise<Counts>;
  close: () => Promise<void>;
}

export async function startHarness(label: string, overrides: Partial<DataServiceConfig> = {}): Promise<Harness> {
  const mongoUrl = overrides.mongoUrl ?? testMongoUrl(label);
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), `mcs-${label.replace(/\W/g, '')}-`));
  const service = await startDataService(testConfig(mongoUrl, logDir, overrides));
  const db = await mongoose.createConnection(mongoUrl, { serverSelectionTimeoutMS: 3000 }).asPromise();
  const counts = async (): Promise<Counts> => {
    const [users, groups, memberships, messages] = await Promise.all(
      ['users', 'groups', 'memberships', 'messages'].map((n) => db.collection(n).countDocuments({})),
    );
    return {
      users: users ?? 0, groups: groups ?? 0, memberships: memberships ?? 0, messages: messages ?? 0,
    };
  };
  return {
    service,
    url: service.url,
    api: apiFor(service.url),
    mongoUrl,
    logDir,
    db,
    counts,
    close: async () => {
      await service.close();
      await db.dropDatabase().catch(() => undefined);
      await db.close();
      fs.rmSync(logDir, { recursive: true, force: true });
    },
  };
}

export async function createUser(api: Api, up: string, username = `user${up}`): Promise<User> {
  const res = await api.post('/user', {
    up, username, name: `User ${up}`, password: PASSWORD,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as User;
}

export async function createGroup(api: Api, name: string, users: string[], createdBy?: string): Promise<Group> {
  const res = await api.post('/group', { name, users, ...(createdBy ? { createdBy } : {}) });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as Group;
}

export async function postMessage(
  api: Api,
  group: string,
  from: string,
  message: string,
  clientId?: string,
): Promise<StoredMessage> {
  const res = await api.post('/message', {
    group, from, message, ...(clientId ? { clientId } : {}),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as StoredMessage;
}

/** Stores `count` messages through /message/batch, 100 per call, `parallel` calls at a time. */
export async function storeMany(api: Api, group: string, from: string, count: number, parallel = 4): Promise<void> {
  const chunks: number[][] = [];
  for (let start = 0; start < count; start += 100) {
    chunks.push(Array.from({ length: Math.min(100, count - start) }, (_, i) => start + i));
  }
  for (let i = 0; i < chunks.length; i += parallel) {
    await Promise.all(chunks.slice(i, i + parallel).map(async (chunk) => {
      const res = await api.post('/message/batch', {
        messages: chunk.map((n) => ({
          group, from, message: `m${n}`, clientId: `c${n}`,
        })),
      });
      assert.equal(res.status, 200);
      const failed = (res.body as { results: Array<{ ok: boolean }> }).results.filter((r) => !r.ok);
      assert.deepEqual(failed, []);
    }));
  }
}

/** Reads every file under the service's log folder. */
export function readLogs(logDir: string): string {
  if (!fs.existsSync(logDir)) return '';
  return fs.readdirSync(logDir).map((f) => fs.readFileSync(path.join(logDir, f), 'utf8')).join('\n');
}

export const ZERO_ID = '000000000000000000000000';

/** Polls `attempt` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(attempt: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${timeoutMs} ms`);
    await new Promise((r) => { setTimeout(r, 100); });
  }
}
