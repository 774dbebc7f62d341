/**
 * How many sockets each user has open across every chat server, and whether
 * they are currently shown online. In Redis: per user a hash of socket counts by
 * server (so a server's share can be removed when it stops) and an "online"
 * flag set and cleared atomically; in memory without Redis.
 *
 * A server's share must not outlive the server: each server keeps a liveness
 * key with a TTL fresh, and any server removes the counts of a server whose key
 * has expired (it crashed or was stopped), so its users go offline unless they
 * reconnect elsewhere. A user stays in their server's set until confirmed
 * offline there, so a crash during the grace period loses nobody.
 */
import type { Up } from '@chat/shared';
import type { RedisClient } from '../redis';

export interface PresenceCounter {
  /** One more socket for `up`; true when the user was not shown online before. */
  connected: (up: Up) => Promise<boolean>;
  /** One socket fewer; true when the user has no socket left anywhere. */
  disconnected: (up: Up) => Promise<boolean>;
  /** After the grace period: true when still no socket and the user is now shown offline. */
  confirmOffline: (up: Up) => Promise<boolean>;
  /** Whether the user is shown online now. */
  isOnline: (up: Up) => Promise<boolean>;
  /** Forgets this server's sockets (a restart after a crash); returns the users it had. */
  releaseServer: () => Promise<Up[]>;
  /**
   * Marks this server alive for `ttlMs` more; true when its mark had lapsed
   * (another server may have removed its counts: they must be counted again).
   */
  beat: (ttlMs: number) => Promise<boolean>;
  /** Removes the counts of every server whose mark lapsed; returns their users, each once. */
  reapDead: () => Promise<Up[]>;
  /** This server stops (gracefully): its mark goes now, so others take over its counts at once. */
  retire: () => Promise<void>;
}

const keysUnder = (prefix: string) => ({
  count: (up: Up) => `${prefix}:presence:count:${up}`,
  online: (up: Up) => `${prefix}:presence:online:${up}`,
  server: (id: string) => `${prefix}:presence:server:${id}`,
  alive: (id: string) => `${prefix}:presence:alive:${id}`,
  servers: `${prefix}:presence:servers`,
});

const COUNT_SCRIPT = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if n <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('SADD', KEYS[3], ARGV[3])
end
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(v) end
local became = 0
if tonumber(ARGV[2]) > 0 and redis.call('SET', KEYS[2], '1', 'NX') then became = 1 end
return { total, became }
`;

const OFFLINE_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(v) end
if total > 0 then return 0 end
return redis.call('DEL', KEYS[2])
`;

const BEAT_SCRIPT = `
local had = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return had
`;

// Key names are built inside the script because the dead servers are only known there;
// one Redis (not a cluster) holds all presence keys.
const REAP_SCRIPT = `
local reaped = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if id ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. ':presence:alive:' .. id) == 0 then
    local serverKey = ARGV[2] .. ':presence:server:' .. id
    for _, up in ipairs(redis.call('SMEMBERS', serverKey)) do
      redis.call('HDEL', ARGV[2] .. ':presence:count:' .. up, id)
      table.insert(reaped, up)
    end
    redis.call('DEL', serverKey)
    redis.call('SREM', KEYS[1], id)
  end
end
return reaped
`;

export function createRedisCounter(redis: RedisClient, serverId: string, prefix: string): PresenceCounter {
  const KEYS = keysUnder(prefix);
  const serverKey = KEYS.server(serverId);
  const change = async (up: Up, delta: number): Promise<[number, number]> => {
    const reply = await redis.eval(COUNT_SCRIPT, {
      keys: [KEYS.count(up), KEYS.online(up), serverKey], arguments: [serverId, String(delta), up],
    });
    const [total, became] = Array.isArray(reply) ? reply : [];
    return [Number(total), Number(became)];
  };
  return {
    connected: async (up) => (await change(up, 1))[1] === 1,
    disconnected: async (up) => (await change(up, -1))[0] <= 0,
    confirmOffline: async (up) => Number(await redis.eval(OFFLINE_SCRIPT, {
      keys: [KEYS.count(up), KEYS.online(up), serverKey], arguments: [serverId, up],
    })) === 1,
    isOnline: async (up) => (await redis.exists(KEYS.online(up))) === 1,
    releaseServer: async () => {
      const ups = await redis.sMembers(serverKey);
      if (ups.length > 0) {
        const multi = redis.multi();
        ups.forEach((up) => { multi.hDel(KEYS.count(up), serverId); });
        multi.del(serverKey);
        await multi.exec();
      }
      return ups;
    },
    beat: async (ttlMs) => Number(await redis.eval(BEAT_SCRIPT, {
      keys: [KEYS.alive(serverId), KEYS.servers], arguments: [String(Math.ceil(ttlMs)), serverId],
    })) === 0,
    reapDead: async () => {
      const reply = await redis.eval(REAP_SCRIPT, { keys: [KEYS.servers], arguments: [serverId, prefix] });
      return [...new Set(Array.isArray(reply) ? reply.map(String) : [])];
    },
    retire: async () => { await redis.del(KEYS.alive(serverId)); },
  };
}

export function createMemoryCounter(): PresenceCounter {
  const counts = new Map<Up, number>();
  const shownOnline = new Set<Up>();
  return {
    connected: async (up) => {
      counts.set(up, (counts.get(up) ?? 0) + 1);
      if (shownOnline.has(up)) return false;
      shownOnline.add(up);
      return true;
    },
    disconnected: async (up) => {
      const left = (counts.get(up) ?? 1) - 1;
      if (left <= 0) counts.delete(up); else counts.set(up, left);
      return left <= 0;
    },
    confirmOffline: async (up) => !counts.has(up) && shownOnline.delete(up),
    isOnline: async (up) => shownOnline.has(up),
    releaseServer: async () => {
      const ups = [...counts.keys()];
      counts.clear();
      return ups;
    },
    // One process holds everything: nothing outlives it, nothing to take over.
    beat: async () => false,
    reapDead: async () => [],
    retire: async () => {},
  };
}
