/** The dispatcher store's rules (store-suite.ts) in memory; the Redis flavour runs in store.test.ts. */
import { createMemoryStore } from '../src/store/memory-store';
import { storeSuite } from './store-suite';

storeSuite('memory', async () => ({ store: createMemoryStore(), cleanup: async () => undefined }));
