/**
 * Redis going away and coming back empty: placement keeps answering from the
 * replica's copy of the map, readiness says Redis is down, and afterwards the
 * chat servers re-register and the map is rebuilt with a higher version.
 */
import assert from 'node:assert/strict';
import { startRedis } from '@chat/local-services';
import type { RunningRedis } from '@chat/local-services';
import type { PlacementMap } from '@chat/shared';
// The root package's test support has no package name to import it by.
// eslint-disable-next-line import/no-relative-packages
import { assertMatchesSpec as assertSpec } from '../../test/support/openapi';
import {
  FakeChatServer, call, currentMap, eventually, locate, removeLogDirs, startTestDispatcher,
} from './support';
import type { TestDispatcher } from './support';

describe('dispatcher through a Redis outage', () => {
  let redis: RunningRedis;
  let dispatcher: TestDispatcher;
  let servers: FakeChatServer[] = [];

  before(async () => {
    redis = await startRedis({ privateServer: true });
    dispatcher = await startTestDispatcher('outage', { REDIS_URL: redis.url });
    servers = [new FakeChatServer(dispatcher.url, 'out-a'), new FakeChatServer(dispatcher.url, 'out-b')];
    for (const s of servers) await s.start();
  });
  after(async () => {
    servers.forEach((s) => s.stopBeating());
    await dispatcher.close();
    await redis.stop();
    removeLogDirs();
  });

  it('keeps placing users while Redis is down, and rebuilds the map when it comes back empty', async () => {
    const before: PlacementMap = await currentMap(dispatcher.url);
    const placed = await locate(dispatcher.url, '201903');
    assert.equal(placed.status, 200);

    await redis.stop();
    const down = await eventually(async () => {
      const res = await call(dispatcher.url, 'GET', '/ready', { token: null });
      assert.equal(res.status, 503);
      return res;
    });
    assert.deepEqual(down.body, { status: 'unavailable', checks: { redis: 'down' } });
    assertSpec('GET', '/ready', down);
    assert.deepEqual((await locate(dispatcher.url, '201903')).body, placed.body, 'placement still answers');
    const listing = await call(dispatcher.url, 'GET', '/dispatcher/servers');
    assert.equal(listing.status, 503, 'the registry itself is unavailable');
    assertSpec('GET', '/dispatcher/servers', listing);

    await redis.restart();
    const rebuilt = await eventually(async () => {
      const map = await currentMap(dispatcher.url);
      assert.ok(map.version > before.version, 'the rebuilt map has a higher version than any replica held');
      assert.deepEqual(Object.keys(map.servers).sort(), ['out-a', 'out-b']);
      assert.equal(Object.keys(map.leaves).length, 10);
      return map;
    }, 10000);
    assert.deepEqual((await locate(dispatcher.url, '201903')).body, {
      ...(placed.body as object), mapVersion: rebuilt.version,
    }, 'the rebuilt map places users as before');
    assert.equal((await call(dispatcher.url, 'GET', '/ready', { token: null })).status, 200);
  });
});
