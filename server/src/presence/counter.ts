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
 * offline there, so a crash during the grace period loses nobody. Works on one
 * Redis and on a Redis Cluster alike.
 */
import type { RedisClient, Up } from '@chat/shared';

export interface PresenceCounter {
  /** One more socket for `up`; true when the user was not shown online before. */
  connected: (up: Up) => Promise<boolean>;
  /**
   * Sets this server's share of `up` to `sockets`, the sockets it holds now: after
   * its liveness lapsed, whether or not another server removed the share meanwhile
   * (adding them again to a share still there would count every socket twice, and
   * the user would never go offline). True when the user was not shown online before.
   */
  recount: (up: Up, sockets: number) => Promise<boolean>;
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

/**
 * Key layout: a user's count and online flag share the hash tag of the user;
 * the servers' set, each server's users and its liveness mark share one tag.
 * So on a Redis Cluster each script touches one slot, and the steps that span
 * a user and a server run one after another in an order that never loses a
 * user from a server's set while that server counts them.
 */
export const presenceKeys = (prefix: string) => ({
  count: (up: Up) => `${prefix}:presence:{${up}}:count`,
  online: (up: Up) => `${prefix}:presence:{${up}}:online`,
  server: (id: string) => `${prefix}:presence:{servers}:users:${id}`,
  alive: (id: string) => `${prefix}:presence:{servers}:alive:${id}`,
  servers: `${prefix}:presence:{servers}:all`,
});

// KEYS: count, online. ARGV: server id, delta. Returns { sockets left anywhere, became online }.
const COUNT_SCRIPT = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(v) end
local became = 0
if tonumber(ARGV[2]) > 0 and redis.call('SET', KEYS[2], '1', 'NX') then became = 1 end
return { total, became }
`;

// KEYS: count, online. ARGV: server id, this server's sockets of the user. Returns 1 when the user became online.
const RECOUNT_SCRIPT = `
if tonumber(ARGV[2]) > 0 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
if tonumber(ARGV[2]) > 0 and redis.call('SET', KEYS[2], '1', 'NX') then return 1 end
return 0
`;

// KEYS: count, online. ARGV: server id. Returns { this server still counts the user, now shown offline }.
const OFFLINE_SCRIPT = `
local mine = redis.call('HEXISTS', KEYS[1], ARGV[1])
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(v) end
if total > 0 then return { mine, 0 } end
return { mine, redis.call('DEL', KEYS[2]) }
`;

// KEYS: alive, servers. ARGV: ttl ms, server id.
const BEAT_SCRIPT = `
local had = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return had
`;

// KEYS: servers. ARGV: this server's id, the users-key prefix, the alive-key prefix (same tag as KEYS[1]).
// Returns { id, { users }, id, { users }, … } for every other server whose mark lapsed.
const LAPSED_SCRIPT = `
local found = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if id ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. id) == 0 then
    table.insert(found, id)
    table.insert(found, redis.call('SMEMBERS', ARGV[2] .. id))
  end
end
return found
`;

// KEYS: servers. ARGV: users-key prefix, alive-key prefix, ids. Forgets the servers still lapsed.
const FORGET_SCRIPT = `
for i = 3, #ARGV do
  if redis.call('EXISTS', ARGV[2] .. ARGV[i]) == 0 then
    redis.call('DEL', ARGV[1] .. ARGV[i])
    redis.call('SREM', KEYS[1], ARGV[i])
  end
end
return 1
`;

const pairsOf = (reply: unknown): [string, string[]][] => {
  if (!Array.isArray(reply)) return [];
  const out: [string, string[]][] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const users: unknown = reply[i + 1];
    out.push([String(reply[i]), Array.isArray(users) ? users.map(String) : []]);
  }
  return out;
};

export function createRedisCounter(redis: RedisClient, serverId: string, prefix: string): PresenceCounter {
  const KEYS = presenceKeys(prefix);
  const serverKey = KEYS.server(serverId);
  const usersPrefix = KEYS.server('');
  const alivePrefix = KEYS.alive('');
  const change = async (up: Up, delta: number): Promise<[number, number]> => {
    // In the server's set before it is counted, so a crash in between leaves nothing unreapable.
    if (delta > 0) await redis.sAdd(serverKey, up);
    const reply = await redis.eval(COUNT_SCRIPT, {
      keys: [KEYS.count(up), KEYS.online(up)], arguments: [serverId, String(delta)],
    });
    const [total, became] = Array.isArray(reply) ? reply : [];
    return [Number(total), Number(became)];
  };
  /** Removes these servers' shares of their users' counts. */
  const uncount = (shares: [string, string[]][]) => Promise.all(shares.flatMap(([id, ups]) => ups.map(
    (up) => redis.hDel(KEYS.count(up), id),
  )));
  return {
    connected: async (up) => (await change(up, 1))[1] === 1,
    recount: async (up, sockets) => {
      if (sockets > 0) await redis.sAdd(serverKey, up);
      return Number(await redis.eval(RECOUNT_SCRIPT, {
        keys: [KEYS.count(up), KEYS.online(up)], arguments: [serverId, String(sockets)],
      })) === 1;
    },
    disconnected: async (up) => (await change(up, -1))[0] <= 0,
    confirmOffline: async (up) => {
      const reply = await redis.eval(OFFLINE_SCRIPT, {
        keys: [KEYS.count(up), KEYS.online(up)], arguments: [serverId],
      });
      const [mine, offline] = Array.isArray(reply) ? reply.map(Number) : [1, 0];
      if (mine === 0) {
        await redis.sRem(serverKey, up);
        // A socket of theirs may have connected here meanwhile: keep them listed if so.
        if (await redis.hExists(KEYS.count(up), serverId)) await redis.sAdd(serverKey, up);
      }
      return offline === 1;
    },
    isOnline: async (up) => (await redis.exists(KEYS.online(up))) === 1,
    releaseServer: async () => {
      const ups = await redis.sMembers(serverKey);
      await uncount([[serverId, ups]]);
      if (ups.length > 0) await redis.del(serverKey);
      return ups;
    },
    beat: async (ttlMs) => Number(await redis.eval(BEAT_SCRIPT, {
      keys: [KEYS.alive(serverId), KEYS.servers], arguments: [String(Math.ceil(ttlMs)), serverId],
    })) === 0,
    reapDead: async () => {
      const lapsed = pairsOf(await redis.eval(LAPSED_SCRIPT, {
        keys: [KEYS.servers], arguments: [serverId, usersPrefix, alivePrefix],
      }));
      if (lapsed.length === 0) return [];
      // Counts first, then the lists: a reaper stopped half-way leaves the lists for the next one.
      await uncount(lapsed);
      await redis.eval(FORGET_SCRIPT, {
        keys: [KEYS.servers], arguments: [usersPrefix, alivePrefix, ...lapsed.map(([id]) => id)],
      });
      return [...new Set(lapsed.flatMap(([, ups]) => ups))];
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
    recount: async (up, sockets) => {
      if (sockets <= 0) { counts.delete(up); return false; }
      counts.set(up, sockets);
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
