/**
 * Scenarios 2 and 6: the data service (or its database) goes away while clients keep sending.
 * The data service stopped for 10 s, then the database stopped for 10 s (a
 * private one): meanwhile sends answer UNAVAILABLE (never a false ok) and REST
 * answers 503; clients retry with the same clientId; afterwards nothing is
 * lost or stored twice, and no service had to be restarted for the database.
 */
import assert from 'node:assert/strict';
import { assertMatchesSpec } from '../support/openapi';
import type { TestSystem } from '../support/system';
import { call } from './support/http';
import { recordResult } from './support/results';
import { startReliabilitySystem } from './support/setup';
import {
  Traffic, assertNoLossNoDuplicate, buildCohort, closeCohort, settle, verify,
} from './support/traffic';
import type { Cohort } from './support/traffic';
import { eventually, sleep } from './support/wait';

const OUTAGE_MS = 10000;

describe('reliability: the data service goes away for 10 s', function () {
  this.timeout(240000);
  let system: TestSystem;
  let cohort: Cohort | undefined;

  before(async () => {
    system = await startReliabilitySystem({ chatServers: 2, privateMongo: true, label: 'data outage' });
  });
  afterEach(() => { closeCohort(cohort); cohort = undefined; });
  after(async () => { await system?.close(); });

  const pids = () => [system.data, ...system.dispatchers, ...system.chatServers].map((p) => p?.child.pid);

  it('data service stopped: sends answer UNAVAILABLE, never a false ok, and retries store each message once', async () => {
    cohort = await buildCohort(system, 3, 5);
    const token = cohort.accounts[0]?.token;
    const traffic = new Traffic(cohort, 400);
    await sleep(2000);
    await system.data?.stop();
    const stoppedAt = Date.now();
    await sleep(1000);
    const during = await call(system.apiUrl, 'GET', '/chat/groups', { token });
    await sleep(OUTAGE_MS - (Date.now() - stoppedAt));
    await system.data?.start();
    const downMs = Date.now() - stoppedAt;
    await sleep(3000);
    await traffic.stop();
    const { settleMs, repaired } = await settle(cohort);
    const v = await verify(cohort, traffic);
    recordResult('2 data service stopped 10 s', {
      clients: cohort.clients.length,
      downMs,
      restDuringOutage: during.status,
      settleMs,
      repairedByFinalCatchUp: repaired,
      ...v,
    });
    assert.equal(during.status, 503);
    assertMatchesSpec('GET', '/chat/groups', during);
    assert.ok((v.sendErrors.UNAVAILABLE ?? 0) > 0, 'sends were answered UNAVAILABLE during the outage');
    assertNoLossNoDuplicate(v);
    assert.equal(v.gaveUp, 0, 'every send was acknowledged once the data service was back');
  });

  it('database stopped: 503/UNAVAILABLE meanwhile, then recovery without restarting any service', async () => {
    cohort = await buildCohort(system, 3, 5);
    const before = pids();
    const traffic = new Traffic(cohort, 400);
    await sleep(2000);
    await system.mongo?.stop();
    const stoppedAt = Date.now();
    await sleep(1500);
    const token = cohort.accounts[0]?.token;
    const [rest, ready] = await Promise.all([
      call(system.apiUrl, 'GET', '/chat/groups', { token }),
      call(system.data?.url ?? '', 'GET', '/ready'),
    ]);
    await sleep(OUTAGE_MS - (Date.now() - stoppedAt));
    await system.mongo?.restart();
    const downMs = Date.now() - stoppedAt;
    let lastAnswer = '';
    const answers = async () => {
      const res = await call(system.apiUrl, 'GET', '/chat/groups', { token });
      lastAnswer = `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
      return res.status === 200;
    };
    const recoveredMs = await eventually(answers, 'REST answers again', 30000).catch((err: Error) => {
      // What the chat server last answered, and what the data service said meanwhile: enough to tell why.
      const said = system.readLogs().split('\n').filter((line) => /"level":"(warn|error)"/.test(line)).slice(-20);
      throw new Error(`${err.message}; last answer: ${lastAnswer}; last warnings:\n${said.join('\n')}`);
    });
    await sleep(2000);
    await traffic.stop();
    const { settleMs, repaired } = await settle(cohort);
    const v = await verify(cohort, traffic);
    recordResult('6 database stopped 10 s', {
      clients: cohort.clients.length,
      downMs,
      restDuringOutage: rest.status,
      dataServiceReadyDuringOutage: ready.status,
      restRecoveredAfterRestartMs: recoveredMs,
      settleMs,
      repairedByFinalCatchUp: repaired,
      ...v,
    });
    assert.equal(rest.status, 503);
    assertMatchesSpec('GET', '/chat/groups', rest);
    assert.equal(ready.status, 503);
    assert.ok((v.sendErrors.UNAVAILABLE ?? 0) > 0, 'sends were answered UNAVAILABLE during the outage');
    assertNoLossNoDuplicate(v);
    assert.equal(v.gaveUp, 0, 'every send was acknowledged once the database was back');
    assert.deepEqual(pids(), before, 'no service was restarted');
  });
});
