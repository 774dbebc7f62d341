/** The dispatcher store's rules (store-suite.ts) on Redis; the memory flavour runs in store.unit.test.ts. */
import { testRedisUrl } from '@chat/local-services';
import { silentLogger } from '@chat/shared';
import { createRedisStore } from '../src/store/redis-store';
import { storeSuite } from './store-suite';
import { dropPrefix, uniquePrefix } from './support';

storeSuite('redis', async () => {
  const prefix = uniquePrefix('store');
  return { store: await createRedisStore(testRedisUrl(), prefix, silentLogger()), cleanup: () => dropPrefix(prefix) };
});
