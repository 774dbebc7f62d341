/** The recent buffer's shared rules on the in-memory flavour (the Redis one: recent-buffer.test.ts). */
import { createMemoryBuffer } from '../src/history/memory-buffer';
import { recentBufferSuite } from './support/recent-buffer-suite';

recentBufferSuite('memory', async (size) => ({ buffer: createMemoryBuffer(size), cleanup: async () => undefined }));
