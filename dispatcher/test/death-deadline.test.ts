/**
 * A crashed chat server is declared dead when its heartbeat timeout runs out,
 * not at the leader's next periodic check: with checks 30 s apart, a server
 * silent for the 1 s timeout still leaves the map within a few seconds.
 */
import assert from 'node:assert/strict';
import {
  FakeChatServer, currentMap, eventually, leavesOwnedBy, removeLogDirs, startTestDispatcher,
} from './support';
import type { TestDispatcher } from './support';

describe('dispatcher: death at the heartbeat deadline', () => {
  let dispatcher: TestDispatcher;
  let servers: FakeChatServer[] = [];

  before(async () => {
    dispatcher = await startTestDispatcher(null, { CHECK_INTERVAL_MS: '30000', LEASE_TTL_MS: '60000' });
    servers = [new FakeChatServer(dispatcher.url, 'deadline-a'), new FakeChatServer(dispatcher.url, 'deadline-b')];
    for (const s of servers) await s.start();
  });
  after(async () => {
    servers.forEach((s) => s.stopBeating());
    await dispatcher.close();
    removeLogDirs();
  });

  it('moves a silent server\'s leaves long before the next periodic check', async () => {
    const [live, silent] = servers as [FakeChatServer, FakeChatServer];
    assert.ok(leavesOwnedBy(await currentMap(dispatcher.url), silent.id).length > 0, 'the silent one owned leaves');
    silent.stopBeating();
    const map = await eventually(async () => {
      const m = await currentMap(dispatcher.url);
      assert.equal(m.servers[silent.id], undefined, 'still in the map');
      return m;
    }, 5000);
    assert.equal(leavesOwnedBy(map, live.id).length, 10, 'every leaf on the live server');
  });
});
