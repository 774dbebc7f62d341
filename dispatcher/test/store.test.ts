/**
 * The dispatcher store's rules (store-suite.ts) on a single Redis and on a Redis
 * Cluster of its own; the memory flavour runs in store.unit.test.ts.
 */
import { startRedisCluster, testRedisUrl } from '@chat/local-services';
import type { RunningRedisCluster } from '@chat/local-services';
import { silentLogger } from '@chat/shared';
import { createRedisStore } from '../src/store/redis-store';
import { storeSuite } from './store-suite';
import { dropPrefix, uniquePrefix } from './support';

storeSuite('redis', async () => {
  const prefix = uniquePrefix('store');
  const store = await createRedisStore({ kind: 'single', url: testRedisUrl() }, prefix, silentLogger());
  return { store, cleanup: () => dropPrefix(prefix) };
});

describe('on a Redis Cluster', () => {
  let redisCluster: RunningRedisCluster | undefined;

  before(async function () {
    this.timeout(90000);
    redisCluster = await startRedisCluster();
  });
  after(async function () {
    this.timeout(30000);
    await redisCluster?.stop();
  });

  // Its own cluster, started for this suite: every key of a store shares one slot.
  storeSuite('redis cluster', async () => {
    const nodes = (redisCluster?.nodes ?? []).map((node) => `redis://${node}`);
    const store = await createRedisStore({ kind: 'cluster', nodes }, uniquePrefix('store'), silentLogger());
    return { store, cleanup: async () => undefined };
  });
});
