/**
 * The store's rules, the same for Redis and for memory: a server declared dead
 * stays dead until it registers again, only the lease holder writes the map,
 * and only on top of the version it read.
 */
import assert from 'node:assert/strict';
import { startRedisCluster, testRedisUrl } from '@chat/local-services';
import type { RunningRedisCluster } from '@chat/local-services';
import { silentLogger } from '@chat/shared';
import type { PlacementMap } from '@chat/shared';
import { createMemoryStore } from '../src/store/memory-store';
import { createRedisStore } from '../src/store/redis-store';
import type { DispatcherStore, ServerReport } from '../src/store/types';
import { dropPrefix, sleep, uniquePrefix } from './support';

const report = (load = 0): ServerReport => ({
  url: 'http://a.test:4000', capacity: 100, load, leafLoads: null,
});
const mapAt = (version: number): PlacementMap => ({
  version, leaves: { 0: 'a' }, servers: { a: { url: 'http://a.test:4000' } },
});

interface Variant {
  name: string;
  make: () => Promise<{ store: DispatcherStore; cleanup: () => Promise<void> }>;
  start?: () => Promise<void>;
  stop?: () => Promise<void>;
}

let redisCluster: RunningRedisCluster | undefined;

const variants: Variant[] = [
  { name: 'memory', make: async () => ({ store: createMemoryStore(), cleanup: async () => undefined }) },
  {
    name: 'redis',
    make: async () => {
      const prefix = uniquePrefix('store');
      const store = await createRedisStore({ kind: 'single', url: testRedisUrl() }, prefix, silentLogger());
      return { store, cleanup: () => dropPrefix(prefix) };
    },
  },
  {
    // Its own cluster, started for this suite: every key of a store shares one slot.
    name: 'redis cluster',
    start: async () => { redisCluster = await startRedisCluster(); },
    stop: async () => { await redisCluster?.stop(); },
    make: async () => {
      const nodes = (redisCluster?.nodes ?? []).map((node) => `redis://${node}`);
      const store = await createRedisStore({ kind: 'cluster', nodes }, uniquePrefix('store'), silentLogger());
      return { store, cleanup: async () => undefined };
    },
  },
];

variants.forEach(({
  name, make, start, stop,
}) => {
  describe(`dispatcher store rules (${name})`, () => {
    let store: DispatcherStore;
    let cleanup: () => Promise<void>;

    before(async function () {
      this.timeout(90000);
      await start?.();
    });
    after(async function () {
      this.timeout(30000);
      await stop?.();
    });

    beforeEach(async () => { ({ store, cleanup } = await make()); });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('records registrations and heartbeats, and refuses heartbeats from unknown servers', async () => {
      assert.equal(await store.heartbeat('a', report()), false);
      await store.register('a', report());
      assert.equal(await store.heartbeat('a', { ...report(7), leafLoads: { 3: 7 } }), true);
      const { now, servers } = await store.snapshot();
      assert.equal(servers.length, 1);
      const [a] = servers;
      assert.equal(a?.load, 7);
      assert.deepEqual(a?.leafLoads, { 3: 7 });
      assert.equal(a?.deadAt, null);
      assert.ok(a && Math.abs(now - a.lastHeartbeat) < 2000);
    });

    it('declares only a silent server dead, and a dead server beats in vain until it registers again', async () => {
      await store.register('a', report());
      assert.equal(await store.declareDead('a', 5000), false, 'it just beat');
      await sleep(120);
      assert.equal(await store.declareDead('a', 50), true);
      assert.equal(await store.declareDead('a', 50), false, 'already dead');
      assert.equal(await store.heartbeat('a', report()), false);
      assert.notEqual((await store.snapshot()).servers[0]?.deadAt, null);
      await store.register('a', report());
      assert.equal((await store.snapshot()).servers[0]?.deadAt, null);
      assert.equal(await store.heartbeat('a', report()), true);
    });

    it('marks a leaving server as draining, then forgets it', async () => {
      assert.equal(await store.drain('a'), false);
      await store.register('a', report());
      assert.equal(await store.drain('a'), true);
      assert.equal((await store.snapshot()).servers[0]?.draining, true);
      await store.remove('a');
      assert.deepEqual((await store.snapshot()).servers, []);
    });

    it('gives the lease to one holder at a time, until it is released or expires', async () => {
      assert.equal(await store.claimLease('one', 300), true);
      assert.equal(await store.claimLease('two', 300), false);
      assert.equal(await store.claimLease('one', 300), true, 'the holder renews');
      await store.releaseLease('two');
      assert.equal(await store.claimLease('two', 300), false, 'only the holder releases');
      await store.releaseLease('one');
      assert.equal(await store.claimLease('two', 150), true);
      await sleep(250);
      assert.equal(await store.claimLease('one', 300), true, 'an expired lease is free');
    });

    it('writes the map only for the lease holder and only over the version it read', async () => {
      const versions: number[] = [];
      await store.subscribe({ onMap: (v) => versions.push(v), onNudge: () => versions.push(-1) });
      assert.equal(await store.readMap(), null);
      assert.equal(await store.readMapVersion(), 0);
      assert.equal(await store.writeMap(mapAt(1), 0, 'one'), false, 'no lease');
      await store.claimLease('one', 5000);
      assert.equal(await store.writeMap(mapAt(1), 0, 'two'), false, 'not the holder');
      assert.equal(await store.writeMap(mapAt(1), 0, 'one'), true);
      assert.equal(await store.writeMap(mapAt(2), 0, 'one'), false, 'stale version');
      assert.equal(await store.writeMap(mapAt(3), 1, 'one'), true);
      assert.deepEqual(await store.readMap(), mapAt(3));
      assert.equal(await store.readMapVersion(), 3);
      await store.nudge();
      await sleep(100);
      assert.deepEqual(versions, [1, 3, -1]);
    });
  });
});
