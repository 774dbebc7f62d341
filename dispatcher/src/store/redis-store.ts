/**
 * The store in Redis (one instance or a cluster), shared by every dispatcher
 * replica. Keys (under `{prefix}`: the hash tag puts them all in one cluster
 * slot, so the scripts and transactions below may touch them together): `servers` (hash id → report JSON), `registered`, `heartbeats` and
 * `dead` (hashes id → ms on the Redis clock), `draining` (set), `map` (hash:
 * version, json) and `leader` (the lease: `SET NX PX`). The rules that must not
 * race run as Lua scripts, atomically, on the Redis clock (`TIME`), so replicas
 * on different machines agree on who is silent.
 */
import type winston from 'winston';
import { connectRedis } from '@chat/shared';
import type { PlacementMap, RedisTarget } from '@chat/shared';
import { placementMapSchema } from '@chat/contract';
import { serverReportSchema } from './schemas';
import type {
  DispatcherStore, RegistrySnapshot, ServerRecord, StoreEvents,
} from './types';

const NOW = "local t = redis.call('TIME') local now = string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000))";

// KEYS: servers, registered, heartbeats, dead, draining. ARGV: id, report.
const REGISTER = `${NOW}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], now)
redis.call('HSET', KEYS[3], ARGV[1], now)
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[1])
return 1`;

// KEYS: servers, heartbeats, dead. ARGV: id, report.
const HEARTBEAT = `${NOW}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 or redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], now)
return 1`;

// KEYS: servers, heartbeats, dead, draining. ARGV: id, timeout ms.
const DECLARE_DEAD = `${NOW}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 or redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return 0 end
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if last >= tonumber(now) - tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], now)
redis.call('SREM', KEYS[4], ARGV[1])
return 1`;

// KEYS: map, leader. ARGV: expected version, new version, json, holder, channel.
const WRITE_MAP = `
if redis.call('GET', KEYS[2]) ~= ARGV[4] then return 0 end
if (redis.call('HGET', KEYS[1], 'version') or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'json', ARGV[3])
redis.call('PUBLISH', ARGV[5], ARGV[2])
return 1`;

// KEYS: map. ARGV: channel.
const NUDGE = "redis.call('PUBLISH', ARGV[1], '1') return 1";

// KEYS: leader. ARGV: holder, ttl ms.
const CLAIM_LEASE = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
return 1`;

// KEYS: servers, registered, heartbeats, dead, draining. One read on the Redis clock.
const SNAPSHOT = `${NOW}
return { now, redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3]),
  redis.call('HGETALL', KEYS[4]), redis.call('SMEMBERS', KEYS[5]) }`;

const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/** HGETALL's flat reply (field, value, field, value, …) as a record. */
const pairs = (flat: string[] = []): Record<string, string> => {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i] as string] = flat[i + 1] as string;
  return record;
};

const toMs = (value: string | undefined) => (value === undefined ? 0 : Number(value));

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The store's keys under `prefix`; channels need no tag (PUBLISH reaches every node). */
export function storeKeys(prefix: string) {
  const tag = `{${prefix}}`;
  return {
    servers: `${tag}:servers`,
    registered: `${tag}:registered`,
    heartbeats: `${tag}:heartbeats`,
    dead: `${tag}:dead`,
    draining: `${tag}:draining`,
    map: `${tag}:map`,
    leader: `${tag}:leader`,
    mapChannel: `${prefix}:map-changed`,
    nudgeChannel: `${prefix}:nudge`,
  };
}

export async function createRedisStore(
  target: RedisTarget,
  prefix: string,
  logger: winston.Logger,
): Promise<DispatcherStore> {
  // Commands fail fast while Redis is away (the map is then served from memory);
  // the subscriber keeps its queue so its subscriptions come back with Redis.
  const redis = await connectRedis(target, logger);
  const { commands: client, subscriber } = redis;
  const key = storeKeys(prefix);
  const run = async (script: string, keys: string[], args: string[]) => Number(
    await client.eval(script, { keys, arguments: args }),
  );

  const snapshot = async (): Promise<RegistrySnapshot> => {
    const reply = await client.eval(SNAPSHOT, {
      keys: [key.servers, key.registered, key.heartbeats, key.dead, key.draining], arguments: [],
    });
    const [time, reportList, registeredList, heartbeatList, deadList, draining] = (Array.isArray(reply) ? reply : [])
      .map((part) => (Array.isArray(part) ? part.map(String) : [String(part)]));
    const reports = pairs(reportList);
    const registered = pairs(registeredList);
    const heartbeats = pairs(heartbeatList);
    const dead = pairs(deadList);
    const servers: ServerRecord[] = [];
    Object.entries(reports).forEach(([id, json]) => {
      const parsed = serverReportSchema.safeParse(parseJson(json));
      if (!parsed.success) {
        logger.warn('ignoring an unreadable server record in redis', { server: id });
        return;
      }
      servers.push({
        id,
        ...parsed.data,
        registeredAt: toMs(registered[id]),
        lastHeartbeat: toMs(heartbeats[id]),
        draining: draining?.includes(id) ?? false,
        deadAt: dead[id] === undefined ? null : toMs(dead[id]),
      });
    });
    return { now: Number(time?.[0] ?? Date.now()), servers };
  };

  return {
    kind: 'redis',
    register: async (id, report) => {
      const keys = [key.servers, key.registered, key.heartbeats, key.dead, key.draining];
      await run(REGISTER, keys, [id, JSON.stringify(report)]);
    },
    heartbeat: async (id, report) => (
      await run(HEARTBEAT, [key.servers, key.heartbeats, key.dead], [id, JSON.stringify(report)])) === 1,
    drain: async (id) => {
      if (!(await client.hExists(key.servers, id))) return false;
      await client.sAdd(key.draining, id);
      return true;
    },
    declareDead: async (id, timeoutMs) => (
      await run(DECLARE_DEAD, [key.servers, key.heartbeats, key.dead, key.draining], [id, String(timeoutMs)])) === 1,
    remove: async (id) => {
      await client.multi()
        .hDel(key.servers, id).hDel(key.registered, id).hDel(key.heartbeats, id)
        .hDel(key.dead, id)
        .sRem(key.draining, id)
        .exec();
    },
    snapshot,
    readMap: async () => {
      const json = await client.hGet(key.map, 'json');
      if (json === undefined || json === null) return null;
      const parsed = placementMapSchema.safeParse(parseJson(json));
      if (!parsed.success) {
        logger.error('the stored placement map is unreadable; it will be rebuilt');
        return null;
      }
      return parsed.data;
    },
    readMapVersion: async () => Number(await client.hGet(key.map, 'version') ?? 0),
    writeMap: async (map: PlacementMap, expectedVersion, holder) => (await run(
      WRITE_MAP,
      [key.map, key.leader],
      [String(expectedVersion), String(map.version), JSON.stringify(map), holder, key.mapChannel],
    )) === 1,
    claimLease: async (holder, ttlMs) => (await run(CLAIM_LEASE, [key.leader], [holder, String(ttlMs)])) === 1,
    releaseLease: async (holder) => { await run(RELEASE_LEASE, [key.leader], [holder]); },
    subscribe: async (events: StoreEvents) => {
      await subscriber.subscribe(key.mapChannel, (message) => events.onMap(Number(message)));
      await subscriber.subscribe(key.nudgeChannel, () => events.onNudge());
    },
    // Published from the map's node, like map changes, so a cluster delivers both in the order sent.
    nudge: async () => { await run(NUDGE, [key.map], [key.nudgeChannel]); },
    ping: redis.ping,
    close: redis.close,
  };
}
