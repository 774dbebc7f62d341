/**
 * The presence counter's shared rules on the Redis flavour (the memory one:
 * presence-counter.unit.test.ts), and what only a counter shared by several
 * servers does: a server whose liveness mark lapses loses its users' sockets
 * to the first live server that looks.
 */
import assert from 'node:assert/strict';
import { createRedisCounter } from '../src/presence/counter';
import { presenceCounterSuite } from './support/presence-counter-suite';
import { prefixedRedis } from './support/redis-prefix';
import type { PrefixedRedis } from './support/redis-prefix';

presenceCounterSuite('Redis', async () => {
  const redis = await prefixedRedis('presence');
  return { counter: createRedisCounter(redis.client, 'server-a', redis.prefix), cleanup: redis.cleanup };
});

describe('presence counter (Redis): several servers', () => {
  let redis: PrefixedRedis;
  beforeEach(async () => { redis = await prefixedRedis('presence-servers'); });
  afterEach(() => redis.cleanup());

  it('counts a user\'s sockets on every server: online until the last one closes anywhere', async () => {
    const a = createRedisCounter(redis.client, 'a', redis.prefix);
    const b = createRedisCounter(redis.client, 'b', redis.prefix);
    assert.equal(await a.connected('1001'), true);
    assert.equal(await b.connected('1001'), false, 'already online through server a');
    assert.equal(await a.disconnected('1001'), false, 'a socket is still open on server b');
    assert.equal(await b.disconnected('1001'), true);
    assert.equal(await b.confirmOffline('1001'), true);
  });

  it('reaps the sockets of a server whose liveness mark lapsed, and tells it so when it beats again', async () => {
    const a = createRedisCounter(redis.client, 'a', redis.prefix);
    const b = createRedisCounter(redis.client, 'b', redis.prefix);
    assert.equal(await a.beat(60000), true, 'a first beat finds no mark');
    assert.equal(await b.beat(60000), true);
    await a.connected('1001');
    assert.deepEqual(await b.reapDead(), [], 'server a is alive');
    await a.retire();
    assert.deepEqual(await b.reapDead(), ['1001']);
    assert.equal(await b.confirmOffline('1001'), true, 'the dead server\'s socket no longer counts');
    assert.equal(await a.beat(60000), true, 'server a learns its counts may be gone and counts again');
    assert.equal(await a.recount('1001', 1), true, 'its user is back online');
    assert.equal(await a.beat(60000), false);
    assert.equal(await a.disconnected('1001'), true);
    assert.equal(await a.confirmOffline('1001'), true);
  });

  it('counts a socket once when a lapsed server recounts and nobody had reaped it', async () => {
    const a = createRedisCounter(redis.client, 'a', redis.prefix);
    await a.beat(60000);
    await a.connected('1001');
    await a.retire(); // the mark is gone (a stall longer than its TTL), and no other server looked
    assert.equal(await a.beat(60000), true);
    assert.equal(await a.recount('1001', 1), false, 'still shown online');
    assert.equal(await a.disconnected('1001'), true, 'its one socket closes: none left anywhere');
    assert.equal(await a.confirmOffline('1001'), true);
  });
});
