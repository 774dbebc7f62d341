/**
 * Scenario 5: a chat server holding 1,000 clients (RELIABILITY_MASS_CLIENTS)
 * restarts. They all come back, presence traffic per client stays bounded (no
 * storm), and the server's CPU returns to idle. How fast they come back is
 * reported (and benchmarked in bench/scenarios/reconnect.ts), not asserted.
 */
import assert from 'node:assert/strict';
import type { TestSystem } from '../support/system';
import { GROUP_SIZE, IDLE_CPU, massReconnect } from './support/mass-reconnect';
import { rssMb } from './support/process-stats';
import { recordResult } from './support/results';
import { startReliabilitySystem } from './support/setup';

const CLIENTS = Number(process.env.RELIABILITY_MASS_CLIENTS ?? 1000);

describe('reliability: mass reconnect after a chat server restart', function () {
  this.timeout(300000);
  let system: TestSystem;

  before(async () => {
    system = await startReliabilitySystem({ chatServers: 1, capacity: 5000, label: 'mass reconnect' });
  });
  after(async () => { await system?.close(); });

  it(`brings ${CLIENTS} clients back without a presence storm, and the server idles again`, async () => {
    const figures = await massReconnect(system, CLIENTS);
    const pid = system.chatServers[0]?.child.pid as number;
    recordResult('5 mass reconnect', { ...figures, rssMbAfter: rssMb(pid) });
    assert.ok(figures.allBackMs !== null, `not every client came back: ${JSON.stringify(figures.stillAway)}`);
    // One presence batch per group per flush; a storm would be one event per member change or more.
    assert.ok(
      figures.presenceEventsPerClient.max <= GROUP_SIZE + 2,
      `a client got ${figures.presenceEventsPerClient.max} presence events`,
    );
    assert.ok(figures.leaverShownOffline, 'the user who left during the restart is shown offline to their group');
    assert.equal(figures.returnersShownOffline, 0, 'users who came back within the return window never flap offline');
    const lastCpu = figures.cpuAfter[figures.cpuAfter.length - 1] ?? 1;
    assert.ok(lastCpu < IDLE_CPU, `the server's CPU stayed at ${lastCpu} of a core (samples ${figures.cpuAfter.join(', ')})`);
  });
});
