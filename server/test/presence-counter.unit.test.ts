/** The presence counter's shared rules on the in-memory flavour (the Redis one: presence-counter.test.ts). */
import assert from 'node:assert/strict';
import { createMemoryCounter } from '../src/presence/counter';
import { presenceCounterSuite } from './support/presence-counter-suite';

presenceCounterSuite('memory', async () => ({ counter: createMemoryCounter(), cleanup: async () => undefined }));

describe('presence counter (memory): one process', () => {
  it('has no other server to outlive or take over from', async () => {
    const counter = createMemoryCounter();
    await counter.connected('1001');
    assert.equal(await counter.beat(1000), false);
    assert.deepEqual(await counter.reapDead(), []);
  });
});
