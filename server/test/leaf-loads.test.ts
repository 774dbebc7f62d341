/**
 * A chat server tells the dispatcher how many of its sockets each of its leaves
 * holds, so an overloaded server has its busy leaf split, not whichever leaf
 * happens to come first.
 */
import assert from 'node:assert/strict';
import type { PlacementMap } from '@chat/shared';
import {
  Cluster, INTERNAL_TOKEN, eventually, startDataTier, startTestDispatcher,
} from './support/cluster';
import type { ChatClient, DataTier, TestDispatcher } from './support/cluster';

describe('chat server: leaf loads reported to the dispatcher', function () {
  this.timeout(60000);
  let tier: DataTier;
  let cluster: Cluster;
  let dispatcher: TestDispatcher;

  before(async () => {
    tier = await startDataTier('leaf-loads');
    dispatcher = await startTestDispatcher('leaf-loads', {
      CHECK_INTERVAL_MS: '200', LEASE_TTL_MS: '1000', REBALANCE_COOLDOWN_MS: '300',
    });
    cluster = new Cluster(tier);
    const common = {
      DISPATCHER_URL: dispatcher.url, HEARTBEAT_INTERVAL_MS: '200', REDIS_URL: '', CAPACITY: '10', OWNERSHIP_GRACE_MS: '0',
    };
    await cluster.addServer({ ...common, SERVER_ID: 'chat-one' });
    await cluster.addServer({ ...common, SERVER_ID: 'chat-two' });
  });
  after(async () => {
    await cluster?.close();
    await dispatcher?.close();
    await tier?.close();
  });

  const currentMap = async (): Promise<PlacementMap> => {
    const res = await fetch(`${dispatcher.url}/dispatcher/servers`, { headers: { 'x-internal-token': INTERNAL_TOKEN } });
    return (await res.json() as { map: PlacementMap }).map;
  };

  it('has the leaf holding the load split, not the owner\'s first leaf', async () => {
    await eventually(async () => new Set(Object.values((await currentMap()).leaves)).size === 2, 'both servers placed');
    const map = await currentMap();
    const ownerId = 'chat-one';
    const owned = Object.keys(map.leaves).filter((leaf) => map.leaves[leaf] === ownerId).sort();
    const [firstLeaf] = owned;
    const busy = owned[owned.length - 1];
    assert.ok(firstLeaf !== undefined && busy !== undefined && firstLeaf !== busy, `chat-one owns ${owned.join(', ')}`);

    // Twelve users whose numbers end in chat-one's last leaf: over its high-water mark (8 of 10).
    const owner = cluster.servers.findIndex((s) => s.serverId === ownerId);
    const sockets: ChatClient[] = [];
    for (let i = 0; i < 12; i += 1) {
      const user = await cluster.register(owner, Number(busy));
      sockets.push(await cluster.connect(user, owner));
    }
    await eventually(async () => !((await currentMap()).leaves[busy]), `the leaf "${busy}" split`, 20000);
    const after = await currentMap();
    assert.ok(Object.keys(after.leaves).some((leaf) => leaf.length === 2 && leaf.endsWith(busy)), 'into two-digit leaves');
    assert.equal(after.leaves[firstLeaf], ownerId, `the quiet leaf "${firstLeaf}" stays whole, on its server`);
    sockets.forEach((s) => s.disconnect());
  });
});
