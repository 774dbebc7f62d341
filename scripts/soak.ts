/**
 * `npm run soak`: the reliability scenarios for longer, bounded in time. A
 * system of three chat servers on a private database and Redis carries 100
 * clients in 10 groups sending steadily while faults come one after another
 * (kill -9 and restart of a chat server, Redis restart, data service stopped,
 * database stopped, dispatcher stopped) for SOAK_MINUTES (default 4); then a
 * chat server holding SOAK_MASS_CLIENTS clients (default 1,000) restarts.
 * Prints sent / acknowledged / delivered / lost / duplicated and the rest,
 * records them in test/reliability/results.json, and exits non-zero when a
 * message was lost or stored twice.
 */
import { massReconnect } from '../test/reliability/support/mass-reconnect';
import { recordResult } from '../test/reliability/support/results';
import { startReliabilitySystem } from '../test/reliability/support/setup';
import {
  Traffic, buildCohort, closeCohort, settle, verify,
} from '../test/reliability/support/traffic';
import type { Verification } from '../test/reliability/support/traffic';
import { sleep } from '../test/reliability/support/wait';
import type { TestSystem } from '../test/support/system';

const FAULT_MINUTES = Number(process.env.SOAK_MINUTES ?? 4);
const MASS_CLIENTS = Number(process.env.SOAK_MASS_CLIENTS ?? 1000);
const PAUSE_BETWEEN_FAULTS_MS = 15000;

const say = (line: string) => process.stdout.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface Fault {
  name: string;
  run: (system: TestSystem) => Promise<void>;
}

const FAULTS: Fault[] = [
  {
    name: 'kill -9 a chat server, start it again after 5 s',
    run: async (system) => {
      const victim = system.chatServers[Math.floor(Math.random() * system.chatServers.length)];
      await victim?.kill();
      await sleep(5000);
      await victim?.start();
    },
  },
  {
    name: 'Redis down for 3 s',
    run: async (system) => {
      await system.redis?.stop();
      await sleep(3000);
      await system.redis?.restart();
    },
  },
  {
    name: 'data service down for 10 s',
    run: async (system) => {
      await system.data?.stop();
      await sleep(10000);
      await system.data?.start();
    },
  },
  {
    name: 'database down for 10 s',
    run: async (system) => {
      await system.mongo?.stop();
      await sleep(10000);
      await system.mongo?.restart();
    },
  },
  {
    name: 'dispatcher down for 8 s',
    run: async (system) => {
      const dispatcher = system.dispatchers[0];
      await dispatcher?.stop();
      await sleep(8000);
      await dispatcher?.start();
    },
  },
];

async function faultsUnderLoad(): Promise<Verification> {
  const system = await startReliabilitySystem({
    chatServers: 3, privateMongo: true, privateRedis: true, label: 'soak',
  });
  const cohort = await buildCohort(system, 10, 10).catch(async (err: Error) => { await system.close(); throw err; });
  try {
    say(`${cohort.clients.length} clients in ${cohort.rooms.size} groups connected; faults for ${FAULT_MINUTES} min`);
    const traffic = new Traffic(cohort, 1000, 60000);
    const deadline = Date.now() + FAULT_MINUTES * 60000;
    const done: string[] = [];
    for (let i = 0; Date.now() < deadline; i += 1) {
      await sleep(Math.min(PAUSE_BETWEEN_FAULTS_MS, Math.max(0, deadline - Date.now())));
      if (Date.now() >= deadline) break;
      const fault = FAULTS[i % FAULTS.length] as Fault;
      say(`fault: ${fault.name} (acked so far ${[...traffic.acked.values()].reduce((n, s) => n + s.size, 0)})`);
      await fault.run(system);
      done.push(fault.name);
    }
    await sleep(5000);
    await traffic.stop();
    const { settleMs, repaired } = await settle(cohort, 60000);
    const v = await verify(cohort, traffic);
    recordResult('soak: faults under load', {
      minutes: FAULT_MINUTES,
      clients: cohort.clients.length,
      groups: cohort.rooms.size,
      faults: done,
      reconnects: cohort.clients.reduce((n, c) => n + c.reconnects, 0),
      settleMs,
      repairedByFinalCatchUp: repaired,
      ...v,
    });
    return v;
  } finally {
    closeCohort(cohort);
    await system.close();
  }
}

async function massRestart(): Promise<boolean> {
  const system = await startReliabilitySystem({
    chatServers: 1, capacity: MASS_CLIENTS * 2, privateMongo: true, privateRedis: true, label: 'soak mass',
  });
  try {
    say(`mass reconnect of ${MASS_CLIENTS} clients`);
    const figures = await massReconnect(system, MASS_CLIENTS);
    recordResult('soak: mass reconnect', { ...figures });
    return figures.allBackMs !== null;
  } finally {
    await system.close();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const v = await faultsUnderLoad();
  const allBack = await massRestart();
  const clean = allBack && v.lost === 0 && v.duplicated === 0 && v.storedTwice === 0 && v.falseAcks === 0
    && v.missingAtMembers === 0 && v.seqGaps === 0 && v.outOfOrder === 0;
  say(`done in ${Math.round((Date.now() - started) / 1000)} s: sent ${v.sent}, acked ${v.acked}, delivered ${v.delivered}, `
    + `lost ${v.lost}, duplicated ${v.duplicated}, stored twice ${v.storedTwice}, gave up ${v.gaveUp}; `
    + `mass reconnect: ${allBack ? 'all back' : 'NOT all back'}`);
  process.exit(clean ? 0 : 1);
}

main().catch((err: Error) => {
  process.stderr.write(`soak failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
