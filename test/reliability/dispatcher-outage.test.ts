/**
 * Scenario 4: the (only) dispatcher is stopped for 8 s. Connected clients keep
 * chatting, since the chat servers keep serving the users they own; a new
 * client cannot locate a server until the dispatcher is back, then it can.
 */
import assert from 'node:assert/strict';
import { ResilientClient } from '../support/chat-client';
import type { TestSystem } from '../support/system';
import { recordResult } from './support/results';
import { createAccounts, freshUps, startReliabilitySystem } from './support/setup';
import {
  Traffic, assertNoLossNoDuplicate, buildCohort, closeCohort, settle, verify,
} from './support/traffic';
import type { Cohort } from './support/traffic';
import { eventually, sleep } from './support/wait';

describe('reliability: the dispatcher stops for a while', function () {
  this.timeout(240000);
  let system: TestSystem;
  let cohort: Cohort;
  let newcomer: ResilientClient | undefined;

  before(async () => {
    system = await startReliabilitySystem({ chatServers: 2, label: 'dispatcher outage' });
    cohort = await buildCohort(system, 3, 5);
  });
  after(async () => {
    closeCohort(cohort);
    newcomer?.close();
    await system?.close();
  });

  const ackedCount = (traffic: Traffic) => [...traffic.acked.values()].reduce((n, seqs) => n + seqs.size, 0);

  it('keeps connected clients chatting; newcomers locate again once it is back', async () => {
    const [account] = await createAccounts(system, freshUps(1));
    assert.ok(account);
    const dispatcher = system.dispatchers[0];
    assert.ok(dispatcher);
    const traffic = new Traffic(cohort, 400);
    await sleep(2000);
    await dispatcher.stop();
    const stoppedAt = Date.now();
    const ackedAtStop = ackedCount(traffic);
    const locateDuring = await fetch(`${dispatcher.url}/chat/location`, { headers: { authorization: `Bearer ${account.token}` } })
      .then((res) => `status ${res.status}`, (err: Error) => `refused (${(err.cause as Error | undefined)?.message ?? err.message})`);
    await sleep(8000);
    const readiness = () => Promise.all(system.chatServers.map((s) => fetch(`${s.url}/ready`).then((r) => r.status)));
    const readyDuringOutage = await readiness();
    const ackedDuringOutage = ackedCount(traffic) - ackedAtStop;
    const reconnectsDuringOutage = cohort.clients.reduce((n, c) => n + c.reconnects, 0);
    await dispatcher.start();
    const downMs = Date.now() - stoppedAt;
    newcomer = new ResilientClient(system, account.up, account.token);
    const started = Date.now();
    await newcomer.connect();
    const newcomerConnectMs = Date.now() - started;
    await sleep(2000);
    const readyAfter = await readiness();
    await traffic.stop();
    const { settleMs, repaired } = await settle(cohort);
    const v = await verify(cohort, traffic);
    recordResult('4 dispatcher stopped 8 s', {
      clients: cohort.clients.length,
      downMs,
      newClientLocateDuringOutage: locateDuring,
      chatServersReadyDuringOutage: readyDuringOutage,
      chatServersReadyAfter: readyAfter,
      ackedDuringOutage,
      reconnectsDuringOutage,
      newcomerConnectedAfterRestartMs: newcomerConnectMs,
      newcomerServer: newcomer.serverId,
      settleMs,
      repairedByFinalCatchUp: repaired,
      ...v,
    });
    assert.match(locateDuring, /refused|status 503/);
    assert.ok(ackedDuringOutage > 0, 'messages were acknowledged while the dispatcher was down');
    assert.ok(readyDuringOutage.every((status) => status === 503), 'chat servers are not ready for new users meanwhile');
    assert.ok(readyAfter.every((status) => status === 200), 'and ready again once it is back');
    assert.equal(reconnectsDuringOutage, 0, 'no connected client was dropped while the dispatcher was down');
    assert.ok(newcomer.connected, 'a new client connected after the dispatcher came back');
    assertNoLossNoDuplicate(v);
    assert.equal(v.gaveUp, 0, 'every send was acknowledged');
    await eventually(() => newcomer?.connected === true, 'newcomer still connected');
  });
});
