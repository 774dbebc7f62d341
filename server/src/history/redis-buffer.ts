/**
 * The recent-message buffer in Redis, shared by every chat server: per group a
 * sorted set (score = seq, member = the message as JSON) trimmed to the newest
 * `size`, and the group's last seq. Both expire when a group goes quiet. The
 * group's two keys share a hash tag, so on a Redis Cluster they live in one
 * slot and the script may update both.
 */
import type winston from 'winston';
import { z } from 'zod';
import type { ChatMessagePayload, RedisClient } from '@chat/shared';
import { groupBy } from './recent-buffer';
import type { BufferSlice, RecentBuffer } from './recent-buffer';

/** Adds messages (replacing any other member at the same seq), trims, raises the last seq, refreshes expiry. */
const ADD_SCRIPT = `
local keep = tonumber(ARGV[1])
local highest = tonumber(ARGV[3])
for i = 4, #ARGV, 2 do
  local seq = tonumber(ARGV[i])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], seq, seq)
  redis.call('ZADD', KEYS[1], seq, ARGV[i + 1])
  if seq > highest then highest = seq end
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(keep + 1))
local last = tonumber(redis.call('GET', KEYS[2]) or '-1')
if highest > last then redis.call('SET', KEYS[2], highest) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
`;

const payloadSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  message: z.string(),
  up: z.string(),
  room: z.string(),
  timestamp: z.string(),
  clientId: z.string(),
});

const TTL_SECONDS = 24 * 3600;

/** A group's two keys: its messages and its last seq. */
export const recentKeys = (prefix: string, group: string): [msgs: string, last: string] => [
  `${prefix}:recent:{${group}}:msgs`, `${prefix}:recent:{${group}}:last`,
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

  const write = async (group: string, items: readonly ChatMessagePayload[], lastSeqHint: number) => {
    try {
      if (dirty.has(group)) {
        await redis.del(keys(group));
        dirty.delete(group);
      }
      const args = [String(size), String(TTL_SECONDS), String(lastSeqHint)];
      items.forEach((m) => { args.push(String(m.seq), JSON.stringify(m)); });
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
      await Promise.all([...groupBy(messages)].map(([group, items]) => write(group, items, 0)));
    },
    prime: (group, items, lastSeq) => write(group, items, lastSeq),
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
