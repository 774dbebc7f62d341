/**
 * The seed's scaling scheme with real processes: three chat servers of
 * capacity 100, and 250 users whose numbers all end in 3. The leaf "3" splits
 * by the next digit, its users end up on more than one server, and while the
 * map holds still every user is always sent to the same place.
 */
import assert from 'node:assert/strict';
import { ResilientClient } from '../support/chat-client';
import { startSystem } from '../support/system';
import type { TestSystem } from '../support/system';

interface ServersView {
  map: { version: number; leaves: Record<string, string> };
  servers: { id: string; load: number; alive: boolean }[];
}

describe('placement under load (3 chat servers, 250 users ending in 3)', function () {
  this.timeout(180000);
  let system: TestSystem;
  const clients: ResilientClient[] = [];

  before(async () => {
    system = await startSystem({
      chatServers: 3,
      capacity: 100,
      label: 'placement split',
      // Sockets let in during a move's grace window are moved when it ends; it must end inside the
      // 3 s the test waits for the map to hold still.
      env: { PASSWORD_HASH_MEMORY_KIB: '1024', OWNERSHIP_GRACE_MS: '1500' },
    });
  });
  after(async () => {
    clients.forEach((c) => c.close());
    await system?.close();
  });

  const view = async (): Promise<ServersView> => {
    const res = await fetch(`${system.dispatcherUrl}/dispatcher/servers`, {
      headers: { 'x-internal-token': system.secrets.INTERNAL_TOKEN },
    });
    return res.json() as Promise<ServersView>;
  };

  const locateAll = (accounts: { token: string }[]) => Promise.all(accounts.map((a) => system.locate(a.token)));

  /** Waits until the map's version has not moved for `quietMs`. */
  const settled = async (quietMs: number, timeoutMs: number): Promise<ServersView> => {
    const deadline = Date.now() + timeoutMs;
    let last = await view();
    let since = Date.now();
    while (Date.now() < deadline) {
      await new Promise((r) => { setTimeout(r, 250); });
      const now = await view();
      if (now.map.version !== last.map.version) { last = now; since = Date.now(); }
      if (Date.now() - since >= quietMs) return now;
    }
    throw new Error(`the map kept changing for ${timeoutMs} ms`);
  };

  it('splits the leaf "3", spreads its users, and places each user the same way while the map holds', async () => {
    const ups = Array.from({ length: 250 }, (_, i) => `${1000 + i}3`);
    const accounts = await system.createAccounts(ups);
    const before = await view();
    assert.ok(before.map.leaves['3'], 'at first the last digit 3 is one leaf');

    accounts.forEach((a) => clients.push(new ResilientClient(system, a.up, a.token)));
    for (let i = 0; i < clients.length; i += 25) {
      await Promise.all(clients.slice(i, i + 25).map((c) => c.connect()));
    }

    // The leader splits once the load is reported and its cooldown since the joins has passed.
    const splitBy = Date.now() + 60000;
    while (Date.now() < splitBy && (await view()).map.leaves['3']) {
      await new Promise((r) => { setTimeout(r, 250); });
    }
    const stable = await settled(3000, 90000);
    const leaves = Object.keys(stable.map.leaves);
    assert.ok(!leaves.includes('3'), `the leaf "3" was split (leaves: ${leaves.join(' ')})`);
    assert.ok(leaves.some((l) => l.length >= 2 && l.endsWith('3')), 'two-digit leaves ending in 3 exist');

    // While the map holds still: every client is connected where the dispatcher places it (moved
    // ones followed `relocate`), and asking twice gives every user the same URL. The leader may still
    // rebalance after a cooldown; a window in which the version moved is not a window that held still.
    let checked = false;
    for (let attempt = 0; attempt < 6 && !checked; attempt += 1) {
      const start = await settled(3000, 60000);
      const connectedBy = Date.now() + 15000;
      while (clients.some((c) => !c.socket?.connected) && Date.now() < connectedBy) {
        await new Promise((r) => { setTimeout(r, 200); });
      }
      const round1 = await locateAll(accounts);
      const round2 = await locateAll(accounts);
      const end = await view();
      if (end.map.version !== start.map.version) continue;
      checked = true;
      const stuck = clients.filter((c) => !c.socket?.connected);
      assert.equal(stuck.length, 0, `not connected: ${stuck.map((c) => `${c.up} (${c.reconnects} reconnects)`).join('; ')}`);
      const servers = new Set(round1.map((p) => p.serverId));
      assert.ok(servers.size > 1, `users of suffix 3 are on more than one server (${[...servers].join(', ')})`);
      clients.forEach((c, i) => {
        assert.equal(c.currentUrl, round1[i]?.url, `${c.up} is connected where the dispatcher places it`);
      });
      round2.forEach((p, i) => assert.equal(p.url, round1[i]?.url, `same URL for ${accounts[i]?.up}`));
    }
    assert.ok(checked, 'the map held still long enough to check placement');
  });
});
