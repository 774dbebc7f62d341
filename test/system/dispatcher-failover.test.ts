/**
 * Two dispatcher replicas on one Redis, as real processes: both place a user
 * the same way, and when the replica holding the lease is killed (kill -9, no
 * goodbye), the other takes the lease and keeps making changes: it notices a
 * chat server that died and moves that server's leaves.
 */
import assert from 'node:assert/strict';
import type { ServiceProcess } from '@chat/local-services';
import { startSystem } from '../support/system';
import type { TestSystem } from '../support/system';

interface ServersView { map: { version: number; leaves: Record<string, string> } }

const isLeader = async (d: ServiceProcess) => {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  return /^dispatcher_leader\{[^}]*\} 1$/m.test(text);
};

describe('dispatcher replicas', function () {
  this.timeout(120000);
  let system: TestSystem;

  before(async () => {
    system = await startSystem({
      chatServers: 0,
      dispatchers: 2,
      heartbeatTimeoutMs: 1500,
      label: 'dispatcher failover',
      env: { PASSWORD_HASH_MEMORY_KIB: '1024', LEASE_TTL_MS: '2000', CHECK_INTERVAL_MS: '500' },
    });
  });
  after(async () => { await system?.close(); });

  it('agree on placement, and the survivor of a killed leader keeps the map moving', async () => {
    const [d1, d2] = system.dispatchers;
    if (!d1 || !d2) throw new Error('two dispatchers expected');
    let leaders: boolean[] = [];
    for (let i = 0; i < 40 && leaders.filter(Boolean).length !== 1; i += 1) {
      await new Promise((r) => { setTimeout(r, 250); });
      leaders = await Promise.all([d1, d2].map(isLeader));
    }
    assert.equal(leaders.filter(Boolean).length, 1, 'exactly one replica holds the lease');
    const leader = leaders[0] ? d1 : d2;
    const survivor = leader === d1 ? d2 : d1;
    // The chat servers talk to the replica that will survive (in production both sit behind one name).
    await system.addChatServer({ DISPATCHER_URL: survivor.url });
    await system.addChatServer({ DISPATCHER_URL: survivor.url });
    const accounts = await system.createAccounts(Array.from({ length: 10 }, (_, i) => `8800${i}`));
    for (const account of accounts) {
      const headers = { authorization: `Bearer ${account.token}` };
      const ask = async (d: ServiceProcess): Promise<unknown> => (await fetch(`${d.url}/chat/location`, { headers })).json();
      const a: unknown = await ask(d1);
      const b: unknown = await ask(d2);
      assert.deepEqual(a, b, `both replicas place ${account.up} the same way`);
    }

    await leader.kill();

    const victim = system.chatServers[0];
    if (!victim) throw new Error('no chat server');
    await victim.kill();
    const deadline = Date.now() + 20000;
    let moved = false;
    while (!moved && Date.now() < deadline) {
      await new Promise((r) => { setTimeout(r, 250); });
      const view = await (await fetch(`${survivor.url}/dispatcher/servers`, {
        headers: { 'x-internal-token': system.secrets.INTERNAL_TOKEN },
      })).json() as ServersView;
      moved = !Object.values(view.map.leaves).includes(victim.id);
    }
    assert.ok(moved, 'the surviving replica moved the dead chat server\'s leaves');
    assert.ok(await isLeader(survivor), 'the survivor now holds the lease');
    const where = await (await fetch(`${survivor.url}/chat/location`, {
      headers: { authorization: `Bearer ${accounts[0]?.token}` },
    })).json() as { serverId: string };
    assert.equal(where.serverId, system.chatServers[1]?.id, 'users are placed on the live chat server');
  });
});
