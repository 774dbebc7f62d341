/**
 * A chat server whose presence liveness lapsed (its event loop stalled longer
 * than the mark's TTL) counts its sockets again when it next beats. Whether or
 * not another server reaped its counts meanwhile, each socket must then count
 * once: a user whose last socket closes afterwards goes offline.
 */
import { silentLogger } from '@chat/shared';
import type { PresenceBatch } from '@chat/shared';
import { createDataClient } from '../src/data/client';
import { createRedisCounter, presenceKeys } from '../src/presence/counter';
import { createPresence } from '../src/presence/presence';
import type { LocalSocket } from '../src/presence/presence';
import { INTERNAL_TOKEN, eventually, startDataTier } from './support/cluster';
import type { DataTier } from './support/cluster';
import { prefixedRedis } from './support/redis-prefix';
import type { PrefixedRedis } from './support/redis-prefix';

describe('presence: a server whose liveness lapsed', function () {
  this.timeout(30000);
  let tier: DataTier;
  let redis: PrefixedRedis;
  before(async () => { tier = await startDataTier('presence-lapse'); });
  after(async () => { await tier?.close(); });
  beforeEach(async () => { redis = await prefixedRedis('presence-lapse'); });
  afterEach(async () => { await redis.cleanup(); });

  it('counts each socket once again, so a user whose last socket then closes goes offline', async () => {
    const sockets: LocalSocket[] = [{ up: '1001', groups: ['g1'] }];
    const batches: PresenceBatch[] = [];
    const presence = createPresence({
      counter: createRedisCounter(redis.client, 'server-a', redis.prefix),
      data: createDataClient({ baseUrl: tier.url, internalToken: INTERNAL_TOKEN }),
      groupIdsOf: async () => ['g1'],
      graceMs: 50,
      flushMs: 20,
      beatMs: 50,
      livenessTtlMs: 60000,
      localSockets: () => sockets,
      emit: (_group, batch) => batches.push(batch),
      logger: silentLogger(),
    });
    try {
      await presence.recover();
      await presence.connected('1001', ['g1']);
      await eventually(() => batches.some((b) => b.online.includes('1001')), 'the user shown online');

      // The mark expires (a stall) and no other server reaps this one's counts.
      const alive = presenceKeys(redis.prefix).alive('server-a');
      await redis.client.del(alive);
      await eventually(async () => (await redis.client.exists(alive)) === 1, 'a beat that finds the mark lapsed');
      // Beats run one at a time: once a later beat has rewritten the mark, the recount is done.
      await redis.client.set(alive, 'seen', { PX: 60000 });
      await eventually(async () => (await redis.client.get(alive)) === '1', 'the beat after the recount');

      sockets.length = 0;
      await presence.disconnected('1001', ['g1']);
      await eventually(() => batches.some((b) => b.offline.some((o) => o.up === '1001')), 'the user shown offline');
    } finally {
      await presence.close();
    }
  });
});
