/**
 * Scenario 5, shared by the test (a few hundred clients) and the soak (1,000):
 * a chat server holding every client restarts; all clients must come back
 * within seconds, with a bounded number of presence events each, and the
 * server's CPU must fall back to idle afterwards.
 */
import type { TestSystem } from '../../support/system';
import { cpuShare, waitForIdle } from './process-stats';
import { buildCohort, closeCohort } from './traffic';
import { percentile, sleep } from './wait';

export const GROUP_SIZE = 10;

/** Below this share of one core the server counts as idle. */
export const IDLE_CPU = 0.15;

export interface MassReconnectFigures {
  clients: number;
  groups: number;
  connectMs: number;
  idleCpuBefore: number;
  restartMs: number;
  /** From the restarted server answering /health to every client connected and caught up; null: not all came back. */
  allBackMs: number | null;
  /** [seconds after /health, clients connected], every second. */
  progress: [number, number][];
  /** Why the clients still away last failed to connect, when not all came back. */
  stillAway: Record<string, number>;
  presenceEventsPerClient: { avg: number; p95: number; max: number };
  presenceEventsTotal: number;
  /** CPU share of the restarted server in 2 s windows, until one is under IDLE_CPU. */
  cpuAfter: number[];
  rssMbAfter?: number;
}

export async function massReconnect(system: TestSystem, clients: number): Promise<MassReconnectFigures> {
  const server = system.chatServers[0];
  if (!server) throw new Error('no chat server');
  const started = Date.now();
  const cohort = await buildCohort(system, Math.ceil(clients / GROUP_SIZE), GROUP_SIZE);
  try {
    const connectMs = Date.now() - started;
    await sleep(2000);
    const idleCpuBefore = await cpuShare(server.child.pid as number, 2000);
    const presenceAtMark = cohort.clients.map((c) => c.presenceEvents);

    const restartStarted = Date.now();
    await server.stop();
    await server.start();
    const healthyAt = Date.now();
    const restartMs = healthyAt - restartStarted;
    // Bounded, not timed: generous for a loaded machine (each return costs the data service a group lookup).
    const progress: [number, number][] = [];
    const connected = () => cohort.clients.filter((c) => c.connected).length;
    const giveUpAt = healthyAt + Math.max(120000, clients * 300);
    while (connected() < cohort.clients.length && Date.now() < giveUpAt) {
      await sleep(Math.min(1000, giveUpAt - Date.now()));
      progress.push([Math.round((Date.now() - healthyAt) / 1000), connected()]);
    }
    const stillAway: Record<string, number> = {};
    cohort.clients.filter((c) => !c.connected).forEach((c) => {
      const why = c.lastConnectError.slice(0, 100) || 'unknown';
      stillAway[why] = (stillAway[why] ?? 0) + 1;
    });
    // Connected is not yet caught up; a catch-up each finishes the return.
    await Promise.all(cohort.clients.filter((c) => c.connected).map((c) => c.resync().catch(() => undefined)));
    const allBackMs = connected() === cohort.clients.length ? Date.now() - healthyAt : null;
    await sleep(3000);
    const perClient = cohort.clients.map((c, i) => c.presenceEvents - (presenceAtMark[i] ?? 0));
    const cpuAfter = await waitForIdle(server.child.pid as number, IDLE_CPU, 2000, 30000);
    return {
      clients: cohort.clients.length,
      groups: cohort.rooms.size,
      connectMs,
      idleCpuBefore,
      restartMs,
      allBackMs,
      progress,
      stillAway,
      presenceEventsPerClient: {
        avg: Math.round((perClient.reduce((a, b) => a + b, 0) / perClient.length) * 10) / 10,
        p95: percentile(perClient, 95),
        max: percentile(perClient, 100),
      },
      presenceEventsTotal: perClient.reduce((a, b) => a + b, 0),
      cpuAfter,
    };
  } finally {
    closeCohort(cohort);
  }
}
