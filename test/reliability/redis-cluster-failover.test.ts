/**
 * A Redis Cluster loses a primary (SIGKILL) while clients on two chat servers
 * keep sending. Its replica is promoted; live delivery across servers must
 * resume by itself (a probe reaches every member live), and nothing
 * acknowledged is lost or stored twice. The cluster is this test's own.
 */
import assert from 'node:assert/strict';
import { startRedisCluster } from '@chat/local-services';
import type { RunningRedisCluster } from '@chat/local-services';
import type { TestSystem } from '../support/system';
import { recordResult } from './support/results';
import { startReliabilitySystem } from './support/setup';
import {
  Traffic, assertNoLossNoDuplicate, buildCohort, closeCohort, settle, verify,
} from './support/traffic';
import type { Cohort } from './support/traffic';
import { eventually, sleep } from './support/wait';

describe('reliability: a Redis Cluster primary dies under load', function () {
  this.timeout(240000);
  let redis: RunningRedisCluster | undefined;
  let system: TestSystem | undefined;
  let cohort: Cohort | undefined;

  before(async () => {
    redis = await startRedisCluster({ startTimeoutMs: 60000 });
    system = await startReliabilitySystem({
      chatServers: 2,
      label: 'redis cluster failover',
      env: { REDIS_URL: '', REDIS_CLUSTER_NODES: redis.nodesEnv },
    });
    cohort = await buildCohort(system, 4, 6);
  });
  after(async () => {
    closeCohort(cohort);
    await system?.close();
    await redis?.stop();
  });

  it('promotes the replica, resumes live delivery by itself, and loses or doubles nothing acknowledged', async () => {
    if (!cohort || !redis) throw new Error('not started');
    const servers = new Set(cohort.clients.map((c) => c.serverId));
    const traffic = new Traffic(cohort, 500);
    await sleep(2000);
    const [victim] = (await redis.primaries()).sort((a, b) => b.slots - a.slots);
    assert.ok(victim, 'a primary to kill');
    await redis.kill(victim.port);
    const killedAt = Date.now();
    await redis.waitHealthy(30000);
    const promotedMs = Date.now() - killedAt;

    // Live delivery: a round of probes (one per group) must reach every member without a catch-up.
    const live = cohort;
    const receivers = [...live.rooms.values()].reduce((n, members) => n + members.length, 0);
    let resumeMs = -1;
    let probeRounds = 0;
    while (resumeMs < 0 && Date.now() - killedAt < 60000) {
      probeRounds += 1;
      const label = `probe ${probeRounds}`;
      const probes = await Promise.all([...live.rooms].map(async ([room, members]) => {
        const sender = members[0];
        assert.ok(sender);
        return { room, members, seq: await traffic.sendOne(sender, room, label) };
      }));
      const holds = () => probes.reduce((n, p) => n + p.members
        .filter((c) => (c.messages.get(p.room) ?? []).some((m) => m.seq === p.seq)).length, 0);
      const delivered = await eventually(() => holds() === receivers, 'a probe round delivered', 3000)
        .then(() => true, () => false);
      if (delivered) resumeMs = Date.now() - killedAt;
    }
    await sleep(2000);
    await traffic.stop();
    const aliveAfter = system?.chatServers.filter((s) => !s.exited()).length ?? 0;
    const { settleMs, repaired } = await settle(live);
    const v = await verify(live, traffic);
    recordResult('7 Redis Cluster primary killed', {
      clients: live.clients.length,
      chatServersWithClients: servers.size,
      primaryKilled: `port ${victim.port} (${victim.slots} slots)`,
      promotedMs,
      liveDeliveryResumedMs: resumeMs,
      probeRounds,
      chatServersAliveAfter: aliveAfter,
      reconnects: live.clients.reduce((n, c) => n + c.reconnects, 0),
      settleMs,
      repairedByFinalCatchUp: repaired,
      ...v,
    });
    assert.ok(servers.size > 1, 'the clients are spread over both chat servers');
    assert.equal(aliveAfter, 2, 'no chat server died');
    assert.ok(resumeMs > 0, 'live delivery across servers resumed by itself');
    assertNoLossNoDuplicate(v);
    assert.equal(v.gaveUp, 0, 'every send was acknowledged');
  });
});
