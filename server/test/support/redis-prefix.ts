/** A Redis connection to the test run's Redis, under a key prefix of its own that is deleted afterwards. */
import crypto from 'node:crypto';
import { createClient } from 'redis';
import { testRedisUrl } from '@chat/local-services';
import type { RedisClient } from '@chat/shared';

export interface PrefixedRedis {
  client: RedisClient;
  prefix: string;
  /** Deletes every key under the prefix and disconnects. */
  cleanup: () => Promise<void>;
}

export async function prefixedRedis(label: string): Promise<PrefixedRedis> {
  const client: RedisClient = createClient({ url: testRedisUrl() });
  await client.connect();
  const prefix = `test:${label}:${crypto.randomBytes(3).toString('hex')}`;
  return {
    client,
    prefix,
    cleanup: async () => {
      const keys: string[] = [];
      for await (const key of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 100 })) keys.push(key);
      if (keys.length > 0) await client.del(keys);
      await client.quit();
    },
  };
}
