/**
 * Scenario 5, mass reconnect: a chat server holding many clients in many
 * groups crashes (kill -9) and starts again; while it is down, members on the
 * other server send one message to every group. Measured: time until every
 * client is connected again and holds every missed message, data-service calls
 * made meanwhile (its /metrics), presence events per client, CPU until idle.
 * Clients are the project's resilient client (test/support/chat-client.ts).
 * Baseline: the same clients on a bare Socket.IO server that crashes and
 * restarts on the same port (nothing to catch up: it stores nothing).
 */
import { placeUser } from '@chat/shared';
import type { PlacementMap } from '@chat/shared';
import type {
  ReconnectClientSpec, ReconnectCommands, ReconnectState, ReconnectTarget,
} from '../generators/protocol';
import { sleep } from '../lib/clock';
import { CpuMeter } from '../lib/cpu';
import type { CpuDelta, PidSource } from '../lib/cpu';
import { forkChild } from '../lib/processes';
import type { ChildHandle } from '../lib/processes';
import type { Cell } from '../lib/report';
import {
  countsSince, requestCounts, totalCalls,
} from '../lib/scrape';
import type { RouteCounts } from '../lib/scrape';
import { ratio, round } from '../lib/stats';
import {
  createGroup, seedUsers, systemPids, tokenFor, waitForPlacement,
} from '../lib/system';
import { pool } from '../lib/pool';
import { baselineServer, cpuTable, waitForIdle } from './common';
import type { Scenario, ScenarioContext } from './context';

const GROUP_SIZE = 10;
/** Rooms per sender: its sends stay under the per-socket message limit. */
const ROOMS_PER_SENDER = 10;

type Generator = ChildHandle<ReconnectCommands>;

interface RestartFigures {
  clients: number;
  /** From the crash until every client is connected (and, for ours, holds every missed message). */
  allBackSeconds: number | null;
  back: number;
  caughtUp: number;
  serverRestartSeconds: number;
  /** From the crash until the servers are idle again (or until the wait for it ended). */
  idleAfterSeconds: number;
  idleReached: boolean;
  presenceEventsPerClient: number;
  maxPresenceEvents: number;
  reconnects: number;
  duplicates: number;
  missedSent: number;
  missedSendFailures: number;
  dataServiceCalls: RouteCounts;
  generatorCpuSeconds: number;
  cpu: CpuDelta;
}

interface Restart {
  generator: Generator;
  pids: Record<string, PidSource>;
  /** Kills the server and starts it again; resolves once it answers. */
  restart: () => Promise<void>;
  /** Sends the messages clients miss while the server is down. */
  sendMissed: () => Promise<{ expected: Record<string, number>; failed: number }>;
  dataServiceUrl?: string;
  timeoutMs: number;
  /** Longest wait, once the clients are back, for the servers to go idle. */
  idleWaitMs: number;
  log: (line: string) => void;
}

async function measureRestart(r: Restart): Promise<RestartFigures> {
  await waitForIdle(r.pids, 10000);
  const before = r.dataServiceUrl ? await requestCounts(r.dataServiceUrl) : {};
  await r.generator.call('mark', {});
  const meter = new CpuMeter(r.pids).start();
  const t0 = performance.now();
  let restartSeconds = 0;
  const restarting = r.restart().then(() => {
    restartSeconds = (performance.now() - t0) / 1000;
    r.log(`server back after ${round(restartSeconds)} s`);
  });
  const missed = await r.sendMissed();
  r.log(`missed messages sent to ${Object.keys(missed.expected).length} rooms (${missed.failed} failed)`);
  // Until every client is back and caught up and then every watched process is idle
  // (under 5 % of a core over half a second); or give up at the deadlines.
  let state: ReconnectState = await r.generator.call('state', { expected: missed.expected });
  let allBackSeconds: number | null = null;
  let idleReached = false;
  let window = new CpuMeter(r.pids).start();
  let windowStart = performance.now();
  while (performance.now() < t0 + r.timeoutMs + r.idleWaitMs) {
    state = await r.generator.call('state', { expected: missed.expected });
    if (allBackSeconds === null && state.caughtUp === state.clients) allBackSeconds = (performance.now() - t0) / 1000;
    if (allBackSeconds === null && performance.now() > t0 + r.timeoutMs) break;
    if (performance.now() - windowStart >= 500) {
      const busy = Object.values(window.delta().processes).some((p) => p.percentOfCore > 5);
      if (allBackSeconds !== null && restartSeconds > 0 && !busy) { idleReached = true; break; }
      window = new CpuMeter(r.pids).start();
      windowStart = performance.now();
    }
    await sleep(100);
  }
  await restarting;
  r.log(`${state.connected} of ${state.clients} connected, ${state.caughtUp} caught up, ${state.reconnects} reconnects`);
  const idleAfterSeconds = (performance.now() - t0) / 1000;
  const cpu = meter.delta();
  state = await r.generator.call('state', { expected: missed.expected });
  const after = r.dataServiceUrl ? await requestCounts(r.dataServiceUrl) : {};
  return {
    clients: state.clients,
    allBackSeconds: allBackSeconds === null ? null : round(allBackSeconds),
    back: state.connected,
    caughtUp: state.caughtUp,
    serverRestartSeconds: round(restartSeconds),
    idleAfterSeconds: round(idleAfterSeconds),
    idleReached,
    presenceEventsPerClient: round(state.presenceEvents / Math.max(1, state.clients)),
    maxPresenceEvents: state.maxPresenceEvents,
    reconnects: state.reconnects,
    duplicates: state.duplicates,
    missedSent: Object.keys(missed.expected).length,
    missedSendFailures: missed.failed,
    dataServiceCalls: countsSince(before, after),
    generatorCpuSeconds: round(state.cpuSeconds),
    cpu,
  };
}

async function startClients(
  ctx: ScenarioContext,
  target: ReconnectTarget,
  clients: ReconnectClientSpec[],
  senders: ReconnectClientSpec[],
): Promise<Generator> {
  const generator = await forkChild<ReconnectCommands>('generators/reconnect.ts', { maxMs: 20 * 60000 });
  ctx.defer(() => generator.stop());
  const state = await generator.call('connect', {
    target, clients, senders, concurrency: 8,
  }, 10 * 60000);
  if (state.connected !== clients.length) throw new Error(`only ${state.connected} of ${clients.length} clients connected`);
  ctx.log(`${state.connected} clients connected and in their rooms`);
  return generator;
}

/** `count` users whose placement is `serverId`, numbered from `start` on. */
function upsOn(map: PlacementMap, serverId: string, count: number, start: number): string[] {
  const ups: string[] = [];
  for (let n = start; ups.length < count; n += 1) {
    if (placeUser(map, String(n))?.serverId === serverId) ups.push(String(n));
  }
  return ups;
}

const dataCallsText = (calls: RouteCounts): string => Object.entries(calls)
  .sort((a, b) => b[1] - a[1])
  .map(([route, n]) => `${route} × ${n}`)
  .join(', ') || 'none';

export const reconnect: Scenario = {
  name: 'reconnect',
  title: '5. Mass reconnect: a chat server crashes and restarts',
  budgetMs: (quick) => (quick ? 150000 : 20 * 60000),
  run: async (ctx) => {
    // Quick mode: half the brief's 200 clients (handshakes are slow on FerretDB).
    const clientCount = ctx.quick ? 100 : 1000;
    const groupCount = clientCount / GROUP_SIZE;
    const timeoutMs = ctx.quick ? 30000 : 120000;
    const idleWaitMs = ctx.quick ? 10000 : 30000;
    const system = await ctx.cluster();
    const [victim, survivor] = system.chatServers;
    if (!victim || !survivor) throw new Error('two chat servers are needed');
    const map = await waitForPlacement(system, [victim.id, survivor.id]);
    const ups = upsOn(map, victim.id, clientCount, 4_000_000);
    const senderUps = upsOn(map, survivor.id, Math.ceil(groupCount / ROOMS_PER_SENDER), 4_900_000);
    ctx.log(`seeding ${clientCount} users in ${groupCount} groups (+${senderUps.length} senders on ${survivor.id})`);
    await seedUsers(system, [...ups, ...senderUps]);
    const roomOf = new Map<string, string>();
    const rooms: string[] = [];
    await pool(Array.from({ length: groupCount }, (_, g) => g), 4, async (g) => {
      const members = ups.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE);
      const sender = senderUps[Math.floor(g / ROOMS_PER_SENDER)] as string;
      const group = await createGroup(system, `reconnect group ${g}`, [...members, sender], sender);
      members.forEach((up) => roomOf.set(up, group.id));
      rooms[g] = group.id;
    });
    const spec = (up: string, own: string[]): ReconnectClientSpec => ({ up, token: tokenFor(system, up), rooms: own });
    const clients = ups.map((up) => spec(up, [roomOf.get(up) ?? '']));
    const senders = senderUps.map((up, i) => spec(up, rooms.slice(i * ROOMS_PER_SENDER, (i + 1) * ROOMS_PER_SENDER)));

    ctx.log(`ours: ${clientCount} resilient clients on ${victim.id}`);
    const generator = await startClients(ctx, { dispatcherUrl: system.dispatcherUrl }, clients, senders);
    const pids: Record<string, PidSource> = systemPids(system);
    const ours = await measureRestart({
      generator,
      pids,
      restart: async () => { await victim.kill(); await victim.start(); },
      sendMissed: () => generator.call('sendMissed', { perRoom: 1 }, timeoutMs),
      dataServiceUrl: system.data?.url,
      timeoutMs,
      idleWaitMs,
      log: ctx.log,
    });
    await generator.call('close', {});
    ctx.log(`ours: all back in ${ours.allBackSeconds ?? 'never'} s`);

    ctx.log('baseline: bare Socket.IO');
    let bare = await baselineServer(ctx, 'baseline/bare-socketio.ts', { redisUrl: system.redisUrl, maxMs: 20 * 60000 });
    const port = Number(new URL(bare.url).port);
    const baseGenerator = await startClients(ctx, { fixedUrl: bare.url }, clients, []);
    const baseline = await measureRestart({
      generator: baseGenerator,
      pids: { 'bare Socket.IO': () => bare.pid, redis: pids.redis ?? (() => undefined) },
      restart: async () => {
        await bare.kill();
        bare = await baselineServer(ctx, 'baseline/bare-socketio.ts', { redisUrl: system.redisUrl, port, maxMs: 20 * 60000 });
      },
      sendMissed: async () => ({ expected: {}, failed: 0 }),
      timeoutMs,
      idleWaitMs,
      log: ctx.log,
    });
    await baseGenerator.call('close', {});

    const row = (name: string, f: RestartFigures): Cell[] => [
      name, f.clients, f.serverRestartSeconds, f.allBackSeconds, f.back, f.caughtUp, f.presenceEventsPerClient,
      f.maxPresenceEvents, f.reconnects, f.duplicates, totalCalls(f.dataServiceCalls),
      f.idleReached ? f.idleAfterSeconds : `not idle after ${f.idleAfterSeconds}`,
      round(Object.values(f.cpu.processes).reduce((n, p) => n + p.seconds, 0)), f.generatorCpuSeconds,
    ];
    const dataCalls = totalCalls(ours.dataServiceCalls);
    return {
      size: {
        clients: clientCount, groups: groupCount, groupSize: GROUP_SIZE, missedMessagesPerGroup: 1,
      },
      ours,
      baselines: { 'bare Socket.IO': baseline },
      ratios: {
        'time until all back ÷ bare Socket.IO': ours.allBackSeconds !== null && baseline.allBackSeconds !== null
          ? ratio(ours.allBackSeconds, baseline.allBackSeconds) : null,
      },
      tables: [{
        title: 'Crash and restart',
        table: {
          headers: ['server', 'clients', 'server back after s', 'all clients back (and caught up) after s', 'connected',
            'caught up', 'presence events per client', 'max per client', 'reconnects', 'duplicates',
            'data-service calls', 'idle again after s', 'server-side CPU s', 'generator CPU s'],
          rows: [row('ours', ours), row('bare Socket.IO', baseline)],
        },
      }, { title: 'CPU from the crash until idle, ours', table: cpuTable(ours.cpu, ours.generatorCpuSeconds) }],
      goals: [
        {
          goal: 'every client back and caught up within 10 s',
          actual: ours.allBackSeconds === null ? `${ours.caughtUp} of ${ours.clients} within ${timeoutMs / 1000} s` : `${ours.allBackSeconds} s`,
          met: ours.allBackSeconds === null ? false : ours.allBackSeconds <= 10,
        },
        {
          goal: '< 10 presence events per client',
          actual: `${ours.presenceEventsPerClient} on average, ${ours.maxPresenceEvents} at most`,
          met: ours.maxPresenceEvents < 10,
        },
      ],
      notes: [
        `Crash = SIGKILL of ${victim.id}, then the same process started again on the same port; meanwhile ${senders.length} member(s) on ${survivor.id} sent one message to each of the ${groupCount} groups (${ours.missedSendFailures} send failures).`,
        'Clients (the protocol client, docs/protocol-client.md) find their server through the dispatcher (GET /chat/location), retry with backoff (200 ms doubling to 2 s, times 0.5–1), follow relocations, and resume every room in one `resume` request (`join room {since}` for a room it cannot answer).',
        `Data-service calls from the crash until idle (${dataCalls}): ${dataCallsText(ours.dataServiceCalls)}. They include the calls that stored the missed messages.`,
        'Presence events are `presence` batches received per client from the crash until idle (a batch may name several users).',
      ],
    };
  },
};
