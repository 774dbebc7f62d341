/** The recent buffer's shared rules on the Redis flavour (the memory one: recent-buffer.unit.test.ts). */
import { silentLogger } from '@chat/shared';
import { createRedisBuffer } from '../src/history/redis-buffer';
import { prefixedRedis } from './support/redis-prefix';
import { recentBufferSuite } from './support/recent-buffer-suite';

recentBufferSuite('Redis', async (size) => {
  const redis = await prefixedRedis('buffer');
  return { buffer: createRedisBuffer(redis.client, size, silentLogger(), redis.prefix), cleanup: redis.cleanup };
});
