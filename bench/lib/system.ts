/**
 * The real system for a scenario: TestSystem (test/support/system.ts) with
 * settings for load (no per-IP socket cap: every generator is 127.0.0.1), and
 * fast setup through the data service's internal routes: users created in
 * parallel, groups created directly, tokens signed with the system's secret
 * exactly as the chat server signs them.
 */
import jwt from 'jsonwebtoken';
import mongoose from 'mongoose';
import { placeUser } from '@chat/shared';
import type { Group, PlacementMap, User } from '@chat/shared';
import { startSystem } from '../../test/support/system';
import type { SystemOptions, TestSystem } from '../../test/support/system';
import { findPid } from './cpu';
import { pool } from './pool';

/** Registration is setup, not the measured path: a cheaper argon2id memory cost (the service's minimum). */
const SETUP_ENV = {
  PASSWORD_HASH_MEMORY_KIB: '1024',
  MAX_CONNECTIONS_PER_IP: '1000000',
  LOG_LEVEL: 'info',
};

export async function startBenchSystem(options: SystemOptions): Promise<TestSystem> {
  return startSystem({ ...options, env: { ...SETUP_ENV, ...options.env } });
}

function dataUrl(system: TestSystem): string {
  if (!system.data) throw new Error('system not started');
  return system.data.url;
}

async function internal<T>(system: TestSystem, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${dataUrl(system)}${route}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-internal-token': system.secrets.INTERNAL_TOKEN },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Creates users through POST /user, `concurrency` at a time. */
export async function createUsers(system: TestSystem, ups: string[], concurrency = 8): Promise<void> {
  await pool(ups, concurrency, async (up) => {
    await internal<User>(system, 'POST', '/user', {
      up, username: `u${up}`, name: `Bench user ${up}`, password: `bench-password-${up}`,
    });
  });
}

/** Above this many users, POST /user (a password hash each) would dominate a run's setup time. */
const BULK_USERS = 100;

/**
 * Creates users: through POST /user up to BULK_USERS; beyond, one through
 * POST /user and the rest inserted directly into the data service's `users`
 * collection in its document shape (mongo-chat-server/src/db/models/user.ts),
 * reusing that first user's password hash. Sockets never log in with a password.
 */
export async function seedUsers(system: TestSystem, ups: string[]): Promise<void> {
  if (ups.length <= BULK_USERS) { await createUsers(system, ups); return; }
  const [first, ...rest] = ups;
  await createUsers(system, [first as string]);
  const client = await new mongoose.mongo.MongoClient(system.mongoUrl).connect();
  try {
    const users = client.db().collection<{ _id: string; passwordHash: string }>('users');
    const model = await users.findOne({ _id: first as string });
    if (!model) throw new Error('the first bench user was not stored');
    for (let i = 0; i < rest.length; i += 1000) {
      await users.insertMany(rest.slice(i, i + 1000).map((up) => ({
        _id: up,
        username: `u${up}`,
        name: `Bench user ${up}`,
        passwordHash: model.passwordHash,
        online: false,
        lastSeen: null,
        createdAt: new Date(),
      })), { ordered: false });
    }
  } finally {
    await client.close();
  }
}

/** A JWT as the chat server issues it: HS256, {sub: up, username}. */
export function tokenFor(system: TestSystem, up: string): string {
  return jwt.sign({ sub: up, username: `u${up}` }, system.secrets.JWT_SECRET, { algorithm: 'HS256', expiresIn: '12h' });
}

export async function createGroup(
  system: TestSystem,
  name: string,
  users: string[],
  createdBy?: string,
): Promise<Group> {
  return internal<Group>(system, 'POST', '/group', { name, users, createdBy });
}

/** A group as the data service has it (lastSeq included). */
export async function groupOf(system: TestSystem, id: string): Promise<Group> {
  return internal<Group>(system, 'GET', `/group/${id}`);
}

/** The dispatcher's current map (internal listing). */
export async function placementMap(system: TestSystem): Promise<PlacementMap> {
  const res = await fetch(`${system.dispatcherUrl}/dispatcher/servers`, {
    headers: { 'x-internal-token': system.secrets.INTERNAL_TOKEN },
  });
  if (!res.ok) throw new Error(`GET /dispatcher/servers: ${res.status}`);
  return (await res.json() as { map: PlacementMap }).map;
}

/** Waits until the map places users on every one of `serverIds`. */
export async function waitForPlacement(
  system: TestSystem,
  serverIds: string[],
  timeoutMs = 20000,
): Promise<PlacementMap> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const map = await placementMap(system);
    const owners = new Set(Object.values(map.leaves));
    if (serverIds.every((id) => owners.has(id))) return map;
    if (Date.now() > deadline) throw new Error(`placement never covered ${serverIds.join(', ')}`);
    await new Promise((r) => { setTimeout(r, 200); });
  }
}

/** The chat server URL the map gives `up`. */
export function urlFor(map: PlacementMap, up: string): string {
  const place = placeUser(map, up);
  if (!place) throw new Error(`no server for ${up}`);
  return place.url;
}

const portOf = (url: string): string => new URL(url).port;

/**
 * The system's Redis processes: `redis` for one instance; `redis 1` … `redis 6`
 * for the nodes of a Redis Cluster (redis-server titles itself `host:port`).
 */
export function redisPids(system: TestSystem): Record<string, () => number | undefined> {
  const nodes = system.redisCluster?.nodes;
  if (!nodes) return { redis: () => findPid('redis-server', `:${portOf(system.redisUrl)}`) };
  return Object.fromEntries(nodes.map((address, i) => [`redis ${i + 1}`, () => findPid('redis-server', `${address} `)]));
}

/** The processes a scenario charges CPU to, by name; pids re-read on every sample (restarts). */
export function systemPids(system: TestSystem): Record<string, () => number | undefined> {
  const pids: Record<string, () => number | undefined> = {
    'data service': () => system.data?.child.pid,
    ...redisPids(system),
    database: () => findPid('ferretdb', `:${portOf(system.mongoUrl)}`) ?? findPid('mongod', portOf(system.mongoUrl)),
  };
  system.chatServers.forEach((s) => { pids[s.id] = () => (s.exited() ? undefined : s.child.pid); });
  system.dispatchers.forEach((d) => { pids[d.label] = () => (d.exited() ? undefined : d.child.pid); });
  return pids;
}
