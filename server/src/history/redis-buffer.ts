/**
 * The recent-message buffer in Redis, shared by every chat server: per group a
 * sorted set (score = seq, member = the message as JSON) trimmed to the newest
 * `size`, and the group's last seq; and its recent changes, a sorted set
 * (score = rev, member = the message as that change left it) trimmed the same
 * way, with the group's last rev. All expire when a group goes quiet. The
 * group's keys share a hash tag, so on a Redis Cluster they live in one slot
 * and one script updates them together: a send costs one call, as before.
 */
import type winston from 'winston';
import { chatMessageSchema } from '@chat/shared';
import type { ChatMessagePayload, RedisClient } from '@chat/shared';
import { groupBy } from './recent-buffer';
import type { BufferSlice, RecentBuffer } from './recent-buffer';

/**
 * Adds messages (mode `add`: replacing any other member at the same seq) or
 * changed messages (mode `change`: replacing the member at the same seq only
 * when one is held and its rev is not newer), records each as a change at its
 * rev (-1: none), trims, raises the last seq and last rev, refreshes expiry.
 * ARGV: keep, ttl, last seq hint, mode, then (seq, rev, json) per message.
 */
const ADD_SCRIPT = `
local keep = tonumber(ARGV[1])
local highest = tonumber(ARGV[3])
local change = ARGV[4] == 'change'
local newestRev = -1
for i = 5, #ARGV, 3 do
  local seq = tonumber(ARGV[i])
  local rev = tonumber(ARGV[i + 1])
  local json = ARGV[i + 2]
  if change then
    local held = redis.call('ZRANGEBYSCORE', KEYS[1], seq, seq)
    if #held > 0 then
      local ok, old = pcall(cjson.decode, held[1])
      local oldRev = (ok and type(old.rev) == 'number') and old.rev or 0
      if oldRev <= rev then
        redis.call('ZREMRANGEBYSCORE', KEYS[1], seq, seq)
        redis.call('ZADD', KEYS[1], seq, json)
      end
    end
  else
    redis.call('ZREMRANGEBYSCORE', KEYS[1], seq, seq)
    redis.call('ZADD', KEYS[1], seq, json)
    if seq > highest then highest = seq end
  end
  if rev >= 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[3], rev, rev)
    redis.call('ZADD', KEYS[3], rev, json)
    if rev > newestRev then newestRev = rev end
  end
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(keep + 1))
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(keep + 1))
if not change then
  local last = tonumber(redis.call('GET', KEYS[2]) or '-1')
  if highest > last then redis.call('SET', KEYS[2], highest) end
end
if newestRev >= 0 then
  local lastRev = tonumber(redis.call('GET', KEYS[4]) or '-1')
  if newestRev > lastRev then redis.call('SET', KEYS[4], newestRev) end
end
for k = 1, 4 do
  if redis.call('EXISTS', KEYS[k]) == 1 then redis.call('EXPIRE', KEYS[k], ARGV[2]) end
end
return 1
`;

/** Raises a group's last rev (never lowers it). */
const PRIME_REV_SCRIPT = `
local lastRev = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > lastRev then redis.call('SET', KEYS[1], ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

const payloadSchema = chatMessageSchema;

const TTL_SECONDS = 24 * 3600;

/** A group's keys: its messages and its last seq, its changes and its last rev. */
type GroupKeys = [msgs: string, last: string, revs: string, lastRev: string];
export const recentKeys = (prefix: string, group: string): GroupKeys => [
  `${prefix}:recent:{${group}}:msgs`, `${prefix}:recent:{${group}}:last`,
  `${prefix}:recent:{${group}}:revs`, `${prefix}:recent:{${group}}:lastrev`,
];

const parseItems = (raw: unknown): ChatMessagePayload[] => {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((member) => {
    try {
      const parsed = payloadSchema.safeParse(JSON.parse(String(member)));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
};

export function createRedisBuffer(
  redis: RedisClient,
  size: number,
  logger: winston.Logger,
  prefix: string,
): RecentBuffer {
  const keys = (group: string) => recentKeys(prefix, group);
  // Groups whose append failed here: their Redis state may miss a message, so it is
  // dropped before anything else is written and never read meanwhile.
  const dirty = new Set<string>();

  const write = async (
    group: string,
    items: readonly ChatMessagePayload[],
    lastSeqHint: number,
    mode: 'add' | 'prime' | 'change',
  ) => {
    try {
      if (dirty.has(group)) {
        await redis.del(keys(group));
        dirty.delete(group);
      }
      const args = [String(size), String(TTL_SECONDS), String(lastSeqHint), mode];
      items.forEach((m) => {
        // A primed page is not a run of changes: it is not recorded by rev.
        const rev = mode !== 'prime' && m.rev !== undefined ? m.rev : -1;
        args.push(String(m.seq), String(rev), JSON.stringify(m));
      });
      await redis.eval(ADD_SCRIPT, { keys: keys(group), arguments: args });
    } catch (err) {
      dirty.add(group);
      logger.warn('recent buffer write failed; the group is read from the data service until repaired', {
        group, error: (err as Error).message,
      });
    }
  };

  const read = async (group: string, range: (msgsKey: string) => Promise<unknown>): Promise<BufferSlice | null> => {
    if (dirty.has(group)) return null;
    const [msgsKey, lastKey] = keys(group);
    try {
      const [last, raw] = await Promise.all([redis.get(lastKey), range(msgsKey)]);
      if (last === null) return null;
      return { lastSeq: Number(last), items: parseItems(raw) };
    } catch {
      return null;
    }
  };

  return {
    append: async (messages) => {
      await Promise.all([...groupBy(messages)].map(([group, items]) => write(group, items, 0, 'add')));
    },
    changed: async (messages) => {
      await Promise.all([...groupBy(messages)].map(([group, items]) => write(group, items, 0, 'change')));
    },
    changesAfter: async (group, afterRev, limit) => {
      if (dirty.has(group)) return null;
      const [, , revsKey, lastRevKey] = keys(group);
      try {
        const [last, raw] = await Promise.all([
          redis.get(lastRevKey),
          redis.zRangeByScore(revsKey, `(${afterRev}`, '+inf', { LIMIT: { offset: 0, count: limit } }),
        ]);
        if (last === null) return null;
        return { lastRev: Number(last), items: parseItems(raw) };
      } catch {
        return null;
      }
    },
    primeRev: async (group, rev) => {
      try {
        await redis.eval(PRIME_REV_SCRIPT, { keys: [keys(group)[3]], arguments: [String(rev), String(TTL_SECONDS)] });
      } catch {
        dirty.add(group);
      }
    },
    prime: (group, items, lastSeq) => write(group, items, lastSeq, 'prime'),
    after: (group, afterSeq, limit) => read(group, (key) => redis.zRangeByScore(key, `(${afterSeq}`, '+inf', {
      LIMIT: { offset: 0, count: limit },
    })),
    latest: (group, limit) => read(group, (key) => redis.zRange(key, -limit, -1)),
    forget: async (group) => {
      try {
        await redis.del(keys(group));
      } catch {
        dirty.add(group);
      }
    },
  };
}
