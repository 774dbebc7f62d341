/**
 * How many sockets each user has open across every chat server, and whether
 * they are currently shown online. In Redis: per user a hash of socket counts by
 * server (so a server's share can be removed when it stops) and an "online"
 * flag set and cleared atomically; in memory without Redis.
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
  /** Forgets this server's sockets (shutdown, or a restart after a crash); returns the users it had. */
  releaseServer: () => Promise<Up[]>;
}

const COUNT_SCRIPT = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if n <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[3], ARGV[3])
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
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(v) end
if total > 0 then return 0 end
return redis.call('DEL', KEYS[2])
`;

export function createRedisCounter(redis: RedisClient, serverId: string): PresenceCounter {
  const countKey = (up: Up) => `presence:count:${up}`;
  const stateKey = (up: Up) => `presence:online:${up}`;
  const serverKey = `presence:server:${serverId}`;
  const change = async (up: Up, delta: number): Promise<[number, number]> => {
    const reply = await redis.eval(COUNT_SCRIPT, {
      keys: [countKey(up), stateKey(up), serverKey], arguments: [serverId, String(delta), up],
    });
    const [total, became] = Array.isArray(reply) ? reply : [];
    return [Number(total), Number(became)];
  };
  return {
    connected: async (up) => (await change(up, 1))[1] === 1,
    disconnected: async (up) => (await change(up, -1))[0] <= 0,
    confirmOffline: async (up) => Number(await redis.eval(OFFLINE_SCRIPT, {
      keys: [countKey(up), stateKey(up)],
    })) === 1,
    releaseServer: async () => {
      const ups = await redis.sMembers(serverKey);
      if (ups.length > 0) {
        const multi = redis.multi();
        ups.forEach((up) => { multi.hDel(countKey(up), serverId); });
        multi.del(serverKey);
        await multi.exec();
      }
      return ups;
    },
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
    releaseServer: async () => {
      const ups = [...counts.keys()];
      counts.clear();
      return ups;
    },
  };
}
