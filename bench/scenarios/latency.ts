/**
 * Scenario 3, end-to-end latency as a sweep: many small groups over two chat
 * servers. First a light load (a few messages a second: what one user feels
 * on a quiet system), then stepped offered rates; for each, send→ack (the ack
 * means stored) and send→receive p50 / p99, and the highest rate kept up with
 * p99 ≤ 100 ms. The same clients, groups, rates and Redis adapter against bare
 * Socket.IO; server-side CPU at 1,000 msg/s for both.
 */
import type { ClientSpec } from '../generators/protocol';
import type { PidSource } from '../lib/cpu';
import type { Wire } from '../lib/lite-client';
import type { Cell } from '../lib/report';
import type { LatencySummary } from '../lib/stats';
import {
  commandsSince, countsSince, databaseCommands, requestCounts,
} from '../lib/scrape';
import type { CommandFigures, RouteCounts } from '../lib/scrape';
import { ratio, round } from '../lib/stats';
import {
  createGroup, seedUsers, systemPids, tokenFor, urlFor, waitForPlacement,
} from '../lib/system';
import { pool } from '../lib/pool';
import {
  baselineServer, cpuTable, ms, socketGenerators, split, waitForIdle,
} from './common';
import type { SocketGenerator } from './common';
import type { Scenario } from './context';
import { connectAll, keptUp, runStep } from './load';
import type { StepFigures } from './load';

const GROUP_SIZE = 10;
/** A step is sustained when (nearly) everything arrives and p99 send→receive stays within this. */
const P99_LIMIT_MS = 100;
/** The rate at which server-side CPU is compared. */
const CPU_RATE = 1000;

interface SweepPlan {
  lightRate: number;
  lightMs: number;
  rates: number[];
  stepMs: number;
  settleMs: number;
}

interface SweepFigures {
  light: Step;
  steps: Step[];
  /** Highest offered rate sustained with p99 ≤ P99_LIMIT_MS (0: none). */
  highestSustained: number;
}

const sustained = (step: StepFigures) => keptUp(step, P99_LIMIT_MS);

/** What the data service did during a measured step: requests by route, database commands by collection. */
export interface DataServiceWork {
  requests: RouteCounts;
  commands: CommandFigures;
}

type Step = StepFigures & { dataService?: DataServiceWork };

/** Reads the data service's counters before and after `run`. */
async function withDataServiceWork(
  dataService: { url: string; token: string } | undefined,
  run: () => Promise<StepFigures>,
): Promise<Step> {
  if (!dataService) return run();
  const read = () => Promise.all([
    requestCounts(dataService.url), databaseCommands(dataService.url, dataService.token),
  ] as const);
  const [requests, commands] = await read();
  const figures = await run();
  const [requestsAfter, commandsAfter] = await read();
  return {
    ...figures,
    dataService: { requests: countsSince(requests, requestsAfter), commands: commandsSince(commands, commandsAfter) },
  };
}

async function sweep(
  generators: SocketGenerator[],
  clients: ClientSpec[][],
  options: {
    wire: Wire; join: boolean; pids: Record<string, PidSource>; plan: SweepPlan;
    dataService?: { url: string; token: string };
  },
): Promise<SweepFigures> {
  const { plan, pids } = options;
  await connectAll(generators, clients, options.wire, options.join);
  await waitForIdle(pids, plan.settleMs);
  const senders = clients.map((list) => list.map((_c, i) => i));
  const step = async (rate: number, durationMs: number) => {
    // Warm-up (not recorded), then the measured window.
    await runStep(generators, {
      rate, durationMs: 1000, senders, receiversPerMessage: GROUP_SIZE, drainMs: 2000,
    }, pids);
    const figures = await withDataServiceWork(options.dataService, () => runStep(generators, {
      rate, durationMs, senders, receiversPerMessage: GROUP_SIZE, drainMs: 5000,
    }, pids));
    await waitForIdle(pids, 3000);
    return figures;
  };
  const light = await step(plan.lightRate, plan.lightMs);
  const steps: Step[] = [];
  for (const rate of plan.rates) steps.push(await step(rate, plan.stepMs));
  await Promise.all(generators.map((g) => g.call('close', {})));
  const highestSustained = Math.max(0, ...steps.filter(sustained).map((s) => s.offeredRate));
  return { light, steps, highestSustained };
}

const latencyRow = (name: string, what: string, s: LatencySummary): Cell[] => [
  name, what, s.count, s.p50, s.p99, s.max,
];

const atRate = (figures: SweepFigures, rate: number) => figures.steps.find((s) => s.offeredRate === rate);

export const latency: Scenario = {
  name: 'latency',
  title: '3. End-to-end latency: light load, then a rate sweep, small groups over two chat servers',
  budgetMs: (quick) => (quick ? 100000 : 25 * 60000),
  run: async (ctx) => {
    // Quick mode: half the brief's 200 clients and two small rates, to stay near two minutes.
    const clientCount = ctx.quick ? 100 : 2000;
    const groupCount = clientCount / GROUP_SIZE;
    const plan: SweepPlan = ctx.quick
      ? {
        lightRate: 5, lightMs: 2000, rates: [50, 100], stepMs: 2000, settleMs: 2000,
      }
      : {
        lightRate: 5, lightMs: 20000, rates: [100, 250, 500, 1000, 1500], stepMs: 8000, settleMs: 10000,
      };
    const cpuRate = plan.rates.includes(CPU_RATE) ? CPU_RATE : Math.max(...plan.rates);
    const system = await ctx.cluster();
    const map = await waitForPlacement(system, system.chatServers.map((s) => s.id));
    const ups = Array.from({ length: clientCount }, (_, i) => String(3_000_000 + i));
    ctx.log(`seeding ${clientCount} users in ${groupCount} groups`);
    await seedUsers(system, ups);
    const groups = Array.from({ length: groupCount }, (_, g) => ups.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE));
    const roomOf = new Map<string, string>();
    await pool(groups, 4, async (members, g) => {
      const group = await createGroup(system, `latency group ${g}`, members, members[0]);
      members.forEach((up) => roomOf.set(up, group.id));
    });
    const generators = await socketGenerators(ctx, 2, 30 * 60000);
    const perGenerator = split(ups, generators.length);
    const pids = systemPids(system);
    const oursPids: Record<string, PidSource> = {};
    ['chat-1', 'chat-2', 'data service', 'redis', 'database'].forEach((k) => { if (pids[k]) oursPids[k] = pids[k] as PidSource; });

    const described = `${clientCount} clients, ${plan.lightRate} msg/s, then ${plan.rates.join(', ')} msg/s`;
    ctx.log(`ours: ${described}`);
    const ours = await sweep(generators, perGenerator.map((list) => list.map((up) => ({
      url: urlFor(map, up), up, token: tokenFor(system, up), rooms: [roomOf.get(up) ?? ''],
    }))), {
      wire: 'socketio',
      join: false,
      pids: oursPids,
      plan,
      dataService: system.data ? { url: system.data.url, token: system.secrets.INTERNAL_TOKEN } : undefined,
    });

    ctx.log(`baseline: bare Socket.IO, ${described}`);
    const options = { redisUrl: system.redisUrl, maxMs: 30 * 60000 };
    const servers = await Promise.all([0, 1].map(() => baselineServer(ctx, 'baseline/bare-socketio.ts', options)));
    const serverIndex = (up: string) => Math.max(0, system.chatServers.findIndex((s) => s.url === urlFor(map, up)));
    const bare = await sweep(generators, perGenerator.map((list) => list.map((up) => ({
      url: servers[serverIndex(up)]?.url ?? '', up, rooms: [roomOf.get(up) ?? ''],
    }))), {
      wire: 'socketio',
      join: true,
      pids: {
        'baseline 1': () => servers[0]?.pid, 'baseline 2': () => servers[1]?.pid, redis: oursPids.redis ?? (() => undefined),
      },
      plan,
    });
    await Promise.all(servers.map((s) => s.stop()));

    const oursAtCpu = atRate(ours, cpuRate);
    const bareAtCpu = atRate(bare, cpuRate);
    const light = ours.light.sendToReceiveMs;
    const highest = ratio(ours.highestSustained, bare.highestSustained);
    const cpuRatio = ratio(oursAtCpu?.serverCpuSeconds ?? 0, bareAtCpu?.serverCpuSeconds ?? 0);
    const sweepRow = (rate: number): Cell[] => {
      const o = atRate(ours, rate);
      const b = atRate(bare, rate);
      const yes = (s?: StepFigures) => (s && sustained(s) ? 'yes' : 'no');
      return [rate, o?.sendToReceiveMs.p50 ?? null, o?.sendToReceiveMs.p99 ?? null, o?.sendToAckMs.p99 ?? null,
        o?.deliveredPercent ?? null, yes(o), b?.sendToReceiveMs.p50 ?? null, b?.sendToReceiveMs.p99 ?? null,
        yes(b), o?.serverCpuPercentOfCore ?? null, b?.serverCpuPercentOfCore ?? null];
    };
    return {
      size: {
        clients: clientCount,
        groups: groupCount,
        groupSize: GROUP_SIZE,
        lightMessagesPerSecond: plan.lightRate,
        lightSeconds: plan.lightMs / 1000,
        offeredMessagesPerSecond: plan.rates.join(', '),
        secondsPerRate: plan.stepMs / 1000,
      },
      ours,
      baselines: { 'bare Socket.IO': bare },
      ratios: {
        'light load p50 send→receive ÷ bare Socket.IO': ratio(light.p50, bare.light.sendToReceiveMs.p50),
        'light load p99 send→receive ÷ bare Socket.IO': ratio(light.p99, bare.light.sendToReceiveMs.p99),
        'light load p50 send→ack ÷ bare Socket.IO': ratio(ours.light.sendToAckMs.p50, bare.light.sendToAckMs.p50),
        [`highest rate with p99 ≤ ${P99_LIMIT_MS} ms ÷ bare Socket.IO`]: highest,
        [`p99 send→receive at ${cpuRate} msg/s ÷ bare Socket.IO`]: ratio(
          oursAtCpu?.sendToReceiveMs.p99 ?? 0,
          bareAtCpu?.sendToReceiveMs.p99 ?? 0,
        ),
        [`server CPU at ${cpuRate} msg/s ÷ bare Socket.IO`]: cpuRatio,
      },
      tables: [{
        title: `Light load, ${plan.lightRate} msg/s (ms)`,
        table: {
          headers: ['server', 'measure', 'samples', 'p50', 'p99', 'max'],
          rows: [
            latencyRow('ours', 'send → ack (stored)', ours.light.sendToAckMs),
            latencyRow('ours', 'send → receive', ours.light.sendToReceiveMs),
            latencyRow('bare Socket.IO', 'send → ack', bare.light.sendToAckMs),
            latencyRow('bare Socket.IO', 'send → receive', bare.light.sendToReceiveMs),
          ],
        },
      }, {
        title: 'Rate sweep: send → receive (ms), sustained, server CPU',
        table: {
          headers: ['msg/s', 'ours p50', 'ours p99', 'ours ack p99', 'ours delivered %', `ours p99 ≤ ${P99_LIMIT_MS} ms`,
            'bare p50', 'bare p99', `bare p99 ≤ ${P99_LIMIT_MS} ms`, 'ours server CPU % of a core', 'bare server CPU % of a core'],
          rows: plan.rates.map(sweepRow),
        },
      }, {
        title: `Highest rate with p99 ≤ ${P99_LIMIT_MS} ms (msg/s)`,
        table: { headers: ['', 'ours', 'bare Socket.IO'], rows: [['msg/s', ours.highestSustained, bare.highestSustained]] },
      }, ...(oursAtCpu ? [{
        title: `CPU at ${cpuRate} msg/s, ours`, table: cpuTable(oursAtCpu.cpu, oursAtCpu.generatorCpuSeconds),
      }] : [])],
      goals: [{
        goal: 'light load: p50 send→receive ≤ 5 ms (ack = stored)',
        actual: ms(light.p50),
        met: light.count > 0 ? light.p50 <= 5 : null,
      }, {
        goal: `highest rate with p99 ≤ ${P99_LIMIT_MS} ms ≥ 0.6 × bare`,
        actual: `${ours.highestSustained} vs ${bare.highestSustained} msg/s`,
        met: highest === null ? null : highest >= 0.6,
      }, {
        goal: `server CPU at ${cpuRate} msg/s ≤ 2 × bare`,
        actual: cpuRatio === null ? '–' : `${round(cpuRatio)}×`,
        met: cpuRatio === null ? null : cpuRatio <= 2,
      }],
      notes: [
        `Each client is in one group of ${GROUP_SIZE}; the clients send in turn, open loop; members are spread over both chat servers by the dispatcher's placement, and the baseline uses the same split.`,
        `Each rate: 1 s of warm-up, then ${plan.stepMs / 1000} s measured; "sustained" means ≥ 99.9 % delivered, ≥ 90 % of the offered deliveries/s within the window, no refused sends and p99 send→receive ≤ ${P99_LIMIT_MS} ms.`,
        'send → ack for ours includes persistence in the data service (the ack means stored); the baseline acks at once.',
      ],
    };
  },
};
