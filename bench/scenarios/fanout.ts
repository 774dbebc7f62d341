/**
 * Scenario 2, fan-out: one room whose members are spread over two chat servers
 * on Redis; senders at fixed rates, stepped up until deliveries stop keeping
 * up. Per step: deliveries per second, send→receive latency, CPU per 1,000
 * deliveries. Ours persists every message before it is delivered; the
 * baselines (bare Socket.IO with the same sharded Redis adapter, and bare `ws`
 * over Redis sharded pub/sub) only relay.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestSystem } from '../../test/support/system';
import type { ClientSpec } from '../generators/protocol';
import type { PidSource } from '../lib/cpu';
import type { Wire } from '../lib/lite-client';
import type { Cell } from '../lib/report';
import { chartSvg } from '../lib/svg';
import { ratio, round } from '../lib/stats';
import {
  createGroup, seedUsers, systemPids, tokenFor, waitForPlacement, urlFor,
} from '../lib/system';
import {
  baselineServer, socketGenerators, split, waitForIdle,
} from './common';
import type { SocketGenerator } from './common';
import type { Scenario, ScenarioContext } from './context';
import { connectAll, keptUp, runStep } from './load';
import type { StepFigures } from './load';

/** A socket may send 20 messages per 5 s (the chat server's limit): stay under 3.5/s each. */
const PER_SENDER_RATE = 3.5;

interface Sweep {
  name: string;
  steps: StepFigures[];
  connectSeconds: number;
  /** Connection attempts that failed and worked on a retry, and the first error. */
  connectRetries: number;
  connectError?: string;
  /** Highest deliveries/s of a step that kept up (null: none did). */
  sustainedDeliveriesPerSecond: number | null;
}

interface SweepPlan {
  targets: number[];
  members: number;
  stepMs: number;
  settleMs: number;
  senders: number[][];
}

async function sweep(
  ctx: ScenarioContext,
  name: string,
  generators: SocketGenerator[],
  target: { clients: ClientSpec[][]; wire: Wire; join: boolean; pids: Record<string, PidSource> },
  plan: SweepPlan,
): Promise<Sweep> {
  const connect = await connectAll(generators, target.clients, target.wire, target.join);
  ctx.log(`${name}: ${connect.sockets} sockets in ${connect.seconds} s`);
  // Warm-up (not recorded): JIT, connection pools and Redis subscriptions settle first.
  await runStep(generators, {
    rate: (plan.targets[0] ?? 1000) / plan.members,
    durationMs: 1000,
    senders: plan.senders,
    receiversPerMessage: plan.members,
    drainMs: 2000,
  }, target.pids);
  const steps: StepFigures[] = [];
  for (const deliveries of plan.targets) {
    await waitForIdle(target.pids, plan.settleMs);
    const step = await runStep(generators, {
      rate: deliveries / plan.members,
      durationMs: plan.stepMs,
      senders: plan.senders,
      receiversPerMessage: plan.members,
      drainMs: 5000,
    }, target.pids);
    steps.push(step);
    const ok = keptUp(step);
    ctx.log(`${name}: offered ${deliveries}/s → ${step.achievedDeliveriesPerSecond}/s, p99 ${step.sendToReceiveMs.p99} ms${ok ? '' : ' (not keeping up)'}`);
    if (!ok) break;
  }
  await Promise.all(generators.map((g) => g.call('close', {})));
  const kept = steps.filter((s) => keptUp(s)).map((s) => s.achievedDeliveriesPerSecond);
  return {
    name,
    steps,
    connectSeconds: connect.seconds,
    connectRetries: connect.retried,
    connectError: connect.firstError,
    sustainedDeliveriesPerSecond: kept.length > 0 ? Math.max(...kept) : null,
  };
}

function stepRows(s: Sweep): Cell[][] {
  return s.steps.map((step) => [
    s.name,
    round(step.offeredRate),
    step.offeredDeliveriesPerSecond,
    step.achievedDeliveriesPerSecond,
    step.deliveredPercent,
    step.sendToReceiveMs.p50,
    step.sendToReceiveMs.p99,
    step.sendToAckMs.p99,
    step.serverCpuPercentOfCore,
    step.cpuMsPer1000Deliveries,
    step.generatorCpuPercentOfCore,
    keptUp(step) ? 'yes' : 'no',
  ]);
}

/** The offered load at which the brief compares p99 with bare Socket.IO. */
const P99_AT = 40000;

/** ours ÷ baseline p99 at P99_AT deliveries/s, when both sweeps reached it. */
function p99At(a: Sweep, b: Sweep): number | null {
  const at = (s: Sweep) => s.steps.find((st) => st.offeredDeliveriesPerSecond === P99_AT);
  const [sa, sb] = [at(a), at(b)];
  return sa && sb ? ratio(sa.sendToReceiveMs.p99, sb.sendToReceiveMs.p99) : null;
}

/** The highest offered load at which both sweeps kept up, to compare like with like. */
function commonStep(a: Sweep, b: Sweep): [StepFigures, StepFigures] | undefined {
  let found: [StepFigures, StepFigures] | undefined;
  a.steps.forEach((sa, i) => {
    const sb = b.steps[i];
    if (sb && keptUp(sa) && keptUp(sb)) found = [sa, sb];
  });
  return found;
}

function writeChart(ctx: ScenarioContext, sweeps: Sweep[], members: number): void {
  const colors = ['#d62728', '#1f77b4', '#2ca02c'];
  const offered = Math.max(...sweeps.flatMap((s) => s.steps.map((st) => st.offeredDeliveriesPerSecond)), 1);
  const throughput = sweeps.map((s, i) => ({
    name: s.name,
    color: colors[i % colors.length] as string,
    points: s.steps.map((st) => [st.offeredDeliveriesPerSecond, st.achievedDeliveriesPerSecond] as [number, number]),
  }));
  const latency = sweeps.map((s, i) => ({
    name: s.name,
    color: colors[i % colors.length] as string,
    points: s.steps.map((st): [number, number] => [
      st.offeredDeliveriesPerSecond, Math.max(st.sendToReceiveMs.p99, 0.01),
    ]),
  }));
  const caption = `${ctx.run.machine.cores} cores, ${ctx.run.database.kind}, ${ctx.run.date.slice(0, 10)}; room of ${members} over 2 servers on Redis${ctx.quick ? ' (quick mode)' : ''}`;
  const svg = chartSvg([
    {
      title: 'Fan-out: deliveries per second',
      xLabel: 'offered deliveries/s (messages/s × members)',
      yLabel: 'achieved deliveries/s',
      series: [...throughput, {
        name: 'offered (ideal)', color: '#999', dashed: true, points: [[0, 0], [offered, offered]],
      }],
    },
    {
      title: 'Fan-out: p99 send → receive',
      xLabel: 'offered deliveries/s',
      yLabel: 'p99 latency, ms (log)',
      logY: true,
      series: latency,
    },
  ], caption);
  fs.mkdirSync(ctx.outDir, { recursive: true });
  fs.writeFileSync(path.join(ctx.outDir, 'fanout.svg'), svg);
}

export const fanout: Scenario = {
  name: 'fanout',
  title: '2. Fan-out: one room over two chat servers on Redis',
  budgetMs: (quick) => (quick ? 100000 : 25 * 60000),
  run: async (ctx) => {
    // Quick mode: 100 members (the brief says 200; handshakes are slow on FerretDB) and three short steps.
    const members = ctx.quick ? 100 : 1000;
    const targets = ctx.quick ? [2000, 5000, 10000] : [2000, 5000, 10000, 20000, 40000, 80000, 160000];
    const stepMs = ctx.quick ? 2000 : 8000;
    const settleMs = ctx.quick ? 2000 : 10000;
    const maxRate = Math.max(...targets) / members;
    const senderCount = Math.min(members, 2 * Math.ceil(maxRate / PER_SENDER_RATE / 2));
    const system: TestSystem = await ctx.cluster();
    const map = await waitForPlacement(system, system.chatServers.map((s) => s.id));
    const ups = Array.from({ length: members }, (_, i) => String(2_000_000 + i));
    ctx.log(`seeding ${members} users and the room`);
    await seedUsers(system, ups);
    const room = (await createGroup(system, 'fan-out room', ups, ups[0])).id;
    const generators = await socketGenerators(ctx, 2, 30 * 60000);
    const serverIndex = (up: string) => system.chatServers.findIndex((s) => s.url === urlFor(map, up));
    const perGenerator = split(ups, generators.length);
    const senders = perGenerator.map(() => Array.from({ length: senderCount / generators.length }, (_, i) => i));
    const plan = {
      targets, members, stepMs, settleMs, senders,
    };
    const pids = systemPids(system);
    const oursPids: Record<string, PidSource> = {};
    ['chat-1', 'chat-2', 'data service', 'redis', 'database'].forEach((k) => { if (pids[k]) oursPids[k] = pids[k] as PidSource; });
    const ours = await sweep(ctx, 'ours', generators, {
      clients: perGenerator.map((list) => list.map((up) => ({
        url: urlFor(map, up), up, token: tokenFor(system, up), rooms: [room],
      }))),
      wire: 'socketio',
      join: false,
      pids: oursPids,
    }, plan);

    const baseline = async (name: string, file: 'baseline/bare-socketio.ts' | 'baseline/bare-ws.ts', wire: Wire) => {
      const options = { redisUrl: system.redisUrl, maxMs: 30 * 60000 };
      const servers = await Promise.all([0, 1].map(() => baselineServer(ctx, file, options)));
      const result = await sweep(ctx, name, generators, {
        clients: perGenerator.map((list) => list.map((up) => ({
          url: (servers[Math.max(0, serverIndex(up))] ?? servers[0])?.url ?? '', up, rooms: [room],
        }))),
        wire,
        join: true,
        pids: {
          'baseline 1': () => servers[0]?.pid, 'baseline 2': () => servers[1]?.pid, redis: oursPids.redis ?? (() => undefined),
        },
      }, plan);
      await Promise.all(servers.map((s) => s.stop()));
      return result;
    };
    const io = await baseline('bare Socket.IO', 'baseline/bare-socketio.ts', 'socketio');
    const ws = await baseline('bare ws', 'baseline/bare-ws.ts', 'ws');
    writeChart(ctx, [ours, io, ws], members);

    const vsIo = commonStep(ours, io);
    const throughputRatio = ratio(ours.sustainedDeliveriesPerSecond ?? 0, io.sustainedDeliveriesPerSecond ?? 0);
    const p99Ratio = vsIo ? ratio(vsIo[0].sendToReceiveMs.p99, vsIo[1].sendToReceiveMs.p99) : null;
    return {
      size: {
        members, servers: 2, senders: senderCount, stepSeconds: stepMs / 1000, offeredDeliveriesPerSecond: targets.join(' / '),
      },
      ours,
      baselines: { 'bare Socket.IO': io, 'bare ws': ws },
      ratios: {
        'sustained deliveries/s ÷ bare Socket.IO': throughputRatio,
        'sustained deliveries/s ÷ bare ws': ratio(ours.sustainedDeliveriesPerSecond ?? 0, ws.sustainedDeliveriesPerSecond ?? 0),
        'p99 send→receive ÷ bare Socket.IO (highest load both kept up)': p99Ratio,
        [`p99 send→receive at ${P99_AT} deliveries/s ÷ bare Socket.IO`]: p99At(ours, io),
        'CPU per 1000 deliveries ÷ bare Socket.IO (same load)': vsIo ? ratio(vsIo[0].cpuMsPer1000Deliveries, vsIo[1].cpuMsPer1000Deliveries) : null,
      },
      tables: [{
        title: 'Steps (a sweep stops at the first step that does not keep up)',
        table: {
          headers: ['server', 'msg/s', 'offered deliveries/s', 'achieved deliveries/s', 'delivered %', 'p50 ms', 'p99 ms',
            'ack p99 ms', 'server CPU % of a core', 'CPU ms per 1000 deliveries', 'generator CPU % of a core', 'kept up'],
          rows: [...stepRows(ours), ...stepRows(io), ...stepRows(ws)],
        },
      }, {
        title: 'Sustained deliveries per second (highest step that kept up)',
        table: {
          headers: ['server', 'deliveries/s'],
          rows: [ours, io, ws].map((s) => [s.name, s.sustainedDeliveriesPerSecond]),
        },
      }],
      goals: [
        {
          goal: 'fan-out throughput within 1.3× of bare Socket.IO, persistence included',
          actual: throughputRatio === null ? 'no step kept up' : `ours ÷ baseline = ${throughputRatio}`,
          met: throughputRatio === null ? null : throughputRatio >= 1 / 1.3,
        },
        {
          goal: 'fan-out p99 within 1.3× of bare Socket.IO',
          actual: p99Ratio === null ? 'no common step kept up' : `ours ÷ baseline = ${p99Ratio} (at ${vsIo?.[0].offeredDeliveriesPerSecond} deliveries/s)`,
          met: p99Ratio === null ? null : p99Ratio <= 1.3,
        },
      ],
      notes: [
        ...[ours, io, ws].filter((s) => s.connectRetries > 0).map((s) => `${s.name}: ${s.connectRetries} connection attempt(s) failed and were retried (first error: ${s.connectError}).`),
        'A step keeps up when ≥ 99.9 % of deliveries arrive, ≥ 90 % of the offered rate arrives within the step, p99 ≤ 1 s and no send is refused.',
        'Every member (the sender included) receives each message; a delivery\'s latency is the receiver\'s clock minus the send time stamped in the message (same machine, same clock).',
        'Server CPU sums every server-side process: for ours both chat servers, the data service, Redis and the database; for the baselines both servers and Redis.',
        `Senders: ${senderCount} members, round-robin, under the chat server's per-socket limit of 20 messages per 5 s.`,
        'Load generators use a minimal Socket.IO client over ws (bench/lib/lite-client.ts); their CPU is shown per step.',
      ],
    };
  },
};
