/**
 * Scenario 5, shared by the test (a few hundred clients) and the soak (1,000):
 * a chat server holding every client restarts; all clients must come back
 * within seconds, with a bounded number of presence events each, and the
 * server's CPU must fall back to idle afterwards.
 */
import type { ResilientClient } from '../../support/chat-client';
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
  /** The one user who closed their app during the restart: seen offline by the members of their group who returned. */
  leaverShownOffline: boolean;
  /** From the restarted server's health until the leaver's group saw them offline. */
  leaverShownOfflineAfterMs: number | null;
  /** Users who came back but were shown offline meanwhile (they took longer than the grace period). */
  returnersShownOffline: number;
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
    const batchesAtMark = cohort.clients.map((c) => c.presence.length);
    // One user closes the app for good while the server restarts: the others must see them go offline.
    const [leaverRoom, leaverGroup] = [...cohort.rooms][0] ?? [];
    const leaver = leaverGroup?.[0];
    if (!leaverRoom || !leaver) throw new Error('no cohort');
    const returners = cohort.clients.filter((c) => c !== leaver);

    const restartStarted = Date.now();
    leaver.close();
    await server.stop();
    await server.start();
    const healthyAt = Date.now();
    const restartMs = healthyAt - restartStarted;
    // Bounded, not timed: generous for a loaded machine (each return costs the data service a group lookup).
    const progress: [number, number][] = [];
    const connected = () => returners.filter((c) => c.connected).length;
    const giveUpAt = healthyAt + Math.max(120000, clients * 300);
    while (connected() < returners.length && Date.now() < giveUpAt) {
      await sleep(Math.min(1000, giveUpAt - Date.now()));
      progress.push([Math.round((Date.now() - healthyAt) / 1000), connected()]);
    }
    const stillAway: Record<string, number> = {};
    returners.filter((c) => !c.connected).forEach((c) => {
      const why = c.lastConnectError.slice(0, 100) || 'unknown';
      stillAway[why] = (stillAway[why] ?? 0) + 1;
    });
    // Connected is not yet caught up; a catch-up each finishes the return.
    await Promise.all(returners.filter((c) => c.connected).map((c) => c.resync().catch(() => undefined)));
    const allBackMs = connected() === returners.length ? Date.now() - healthyAt : null;
    const shownOffline = (c: ResilientClient) => new Set(c.presence.slice(batchesAtMark[cohort.clients.indexOf(c)] ?? 0)
      .flatMap((b) => b.offline.map((o) => o.up)));
    const othersSeeLeaverOffline = () => (leaverGroup ?? []).filter((c) => c !== leaver)
      .every((c) => shownOffline(c).has(leaver.up));
    // The leaver goes offline after the grace period and a store through the data service, which
    // is busy with the crowd's return: wait for it (bounded), and at least 3 s for stray offline notices.
    const settleFrom = Date.now();
    while ((!othersSeeLeaverOffline() || Date.now() - settleFrom < 3000) && Date.now() - settleFrom < 30000) {
      await sleep(250);
    }
    const leaverShownOffline = othersSeeLeaverOffline();
    const leaverShownOfflineAfterMs = leaverShownOffline ? Date.now() - healthyAt : null;
    const perClient = returners.map((c) => {
      const i = cohort.clients.indexOf(c);
      return c.presenceEvents - (presenceAtMark[i] ?? 0);
    });
    const seenOffline = new Set(returners.flatMap((c) => [...shownOffline(c)]));
    const returnersShownOffline = returners.filter((c) => seenOffline.has(c.up)).length;
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
      leaverShownOffline,
      leaverShownOfflineAfterMs,
      returnersShownOffline,
      cpuAfter,
    };
  } finally {
    closeCohort(cohort);
  }
}
