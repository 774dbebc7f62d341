/**
 * Scenario 3: Redis (a private one) is stopped for 3 s and started again,
 * empty, while clients on three chat servers keep sending. Delivery across
 * servers must resume by itself (a probe message reaches every member live,
 * with no catch-up), and whatever was missed meanwhile is repaired by catch-up.
 */
import assert from 'node:assert/strict';
import type { TestSystem } from '../support/system';
import { recordResult } from './support/results';
import { startReliabilitySystem } from './support/setup';
import {
  Traffic, assertNoLossNoDuplicate, buildCohort, closeCohort, settle, verify,
} from './support/traffic';
import type { Cohort } from './support/traffic';
import { eventually, sleep } from './support/wait';

describe('reliability: Redis restarts under load', function () {
  this.timeout(240000);
  let system: TestSystem;
  let cohort: Cohort;

  before(async () => {
    system = await startReliabilitySystem({ chatServers: 3, privateRedis: true, label: 'redis restart' });
    cohort = await buildCohort(system, 4, 6);
  });
  after(async () => {
    closeCohort(cohort);
    await system?.close();
  });

  it('resumes delivery across servers by itself, and catch-up repairs what was missed', async () => {
    const servers = new Set(cohort.clients.map((c) => c.serverId));
    const traffic = new Traffic(cohort, 500);
    await sleep(2000);
    await system.redis?.stop();
    const stoppedAt = Date.now();
    await sleep(3000);
    await system.redis?.restart();
    const downMs = Date.now() - stoppedAt;
    await sleep(6000);
    await traffic.stop();
    const aliveAfter = system.chatServers.filter((s) => !s.exited()).length;

    // Live delivery: one probe per group, from a member; every member must get it without catching up.
    await eventually(() => cohort.clients.every((c) => c.connected), 'every client connected', 30000);
    const reconnectsBefore = cohort.clients.reduce((n, c) => n + c.reconnects, 0);
    const probes = await Promise.all([...cohort.rooms].map(async ([room, members]) => {
      const sender = members[0];
      assert.ok(sender);
      return { room, members, seq: await traffic.sendOne(sender, room, 'probe after the Redis restart') };
    }));
    const holds = () => probes.reduce((n, p) => n + p.members
      .filter((c) => (c.messages.get(p.room) ?? []).some((m) => m.seq === p.seq)).length, 0);
    const receivers = probes.reduce((n, p) => n + p.members.length, 0);
    await eventually(() => holds() === receivers, 'every member received its probe', 10000).catch(() => 0);
    const probeLive = holds();
    const reconnectsDuringProbe = cohort.clients.reduce((n, c) => n + c.reconnects, 0) - reconnectsBefore;

    const { settleMs, repaired } = await settle(cohort);
    const v = await verify(cohort, traffic);
    recordResult('3 Redis restarted', {
      clients: cohort.clients.length,
      chatServersWithClients: servers.size,
      downMs,
      chatServersAliveAfter: aliveAfter,
      probeReceivers: receivers,
      probeDeliveredLive: probeLive,
      reconnectsDuringProbe,
      reconnects: cohort.clients.reduce((n, c) => n + c.reconnects, 0),
      settleMs,
      repairedByFinalCatchUp: repaired,
      ...v,
    });
    assert.ok(servers.size > 1, 'the clients are spread over several chat servers');
    assert.equal(aliveAfter, system.chatServers.length, 'no chat server died');
    assert.equal(reconnectsDuringProbe, 0, 'nobody reconnected (and caught up) while the probes went out');
    assert.equal(probeLive, receivers, 'every member got the probe live, across servers');
    assertNoLossNoDuplicate(v);
    assert.equal(v.gaveUp, 0, 'every send was acknowledged');
  });
});
