/**
 * Scenario 2, fan-out: one room whose members are spread over two chat servers
 * on Redis; senders at fixed rates, stepped up until deliveries stop keeping
 * up. Per step: deliveries per second, send→receive latency, CPU per 1,000
 * deliveries. Ours persists every message before it is delivered; the
 * baselines (bare Socket.IO with the same sharded Redis adapter, and bare `ws`
 * over Redis sharded pub/sub) only relay. With `--redis` it runs on one Redis,
 * on a local Redis Cluster (3 primaries + 3 replicas; ours and bare Socket.IO,
 * each on the cluster), or on both in one run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestSystem } from '../../test/support/system';
import type { ClientSpec } from '../generators/protocol';
import type { PidSource } from '../lib/cpu';
import type { Wire } from '../lib/lite-client';
import type { Cell, Goal } from '../lib/report';
import { chartSvg } from '../lib/svg';
import { ratio, round } from '../lib/stats';
import {
  createGroup, redisPids as redisPidsOf, seedUsers, systemPids, tokenFor, waitForPlacement, urlFor,
} from '../lib/system';
import {
  baselineServer, socketGenerators, split, waitForIdle,
} from './common';
import type { SocketGenerator } from './common';
import type { RedisKind, Scenario, ScenarioContext } from './context';
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

/** The highest step every one of `sweeps` kept up (they share the offered loads, step by step). */
function stepAllKeptUp(sweeps: Sweep[]): number | undefined {
  let found: number | undefined;
  (sweeps[0]?.steps ?? []).forEach((_s, i) => {
    if (sweeps.every((sw) => sw.steps[i] && keptUp(sw.steps[i] as StepFigures))) found = i;
  });
  return found;
}

/** One Redis setup's sweeps: ours, bare Socket.IO on the same Redis, and (one Redis only) bare ws. */
interface Variant {
  redis: RedisKind;
  ours: Sweep;
  io: Sweep;
  ws?: Sweep;
}

const ON: Record<RedisKind, string> = { single: '', cluster: ' on Redis Cluster' };
const REDIS_LABEL: Record<RedisKind, string> = { single: 'one Redis', cluster: 'Redis Cluster (3 + 3)' };

/** ours ÷ bare Socket.IO on the same Redis: throughput, p99 and CPU at the highest load both kept up. */
function ratiosVsBare(v: Variant): { throughput: number | null; p99: number | null; cpu: number | null; at?: number } {
  const both = commonStep(v.ours, v.io);
  return {
    throughput: ratio(v.ours.sustainedDeliveriesPerSecond ?? 0, v.io.sustainedDeliveriesPerSecond ?? 0),
    p99: both ? ratio(both[0].sendToReceiveMs.p99, both[1].sendToReceiveMs.p99) : null,
    cpu: both ? ratio(both[0].cpuMsPer1000Deliveries, both[1].cpuMsPer1000Deliveries) : null,
    at: both?.[0].offeredDeliveriesPerSecond,
  };
}

function writeChart(ctx: ScenarioContext, sweeps: Sweep[], members: number): void {
  const colors = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e'];
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
  const redis = ctx.redis.map((k) => (k === 'single' ? 'one Redis' : 'a Redis Cluster')).join(' and on ');
  const caption = `${ctx.run.machine.cores} cores, ${ctx.run.database.kind}, ${ctx.run.date.slice(0, 10)}; room of ${members} over 2 servers on ${redis}${ctx.quick ? ' (quick mode)' : ''}`;
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
  budgetMs: (quick) => (quick ? 160000 : 45 * 60000),
  run: async (ctx) => {
    // Quick mode: 100 members (the brief says 200; handshakes are slow on FerretDB) and three short steps.
    const members = ctx.quick ? 100 : 1000;
    const targets = ctx.quick ? [2000, 5000, 10000] : [2000, 5000, 10000, 20000, 40000, 80000, 160000];
    const stepMs = ctx.quick ? 2000 : 8000;
    const settleMs = ctx.quick ? 2000 : 10000;
    const maxRate = Math.max(...targets) / members;
    const senderCount = Math.min(members, 2 * Math.ceil(maxRate / PER_SENDER_RATE / 2));
    const ups = Array.from({ length: members }, (_, i) => String(2_000_000 + i));
    const generators = await socketGenerators(ctx, 2, 60 * 60000);
    const perGenerator = split(ups, generators.length);
    const senders = perGenerator.map(() => Array.from({ length: senderCount / generators.length }, (_, i) => i));
    const plan = {
      targets, members, stepMs, settleMs, senders,
    };

    /** Ours, then the baselines, on one system (one Redis or a Redis Cluster of its own). */
    const runOn = async (redis: RedisKind): Promise<Variant> => {
      const system: TestSystem = await ctx.cluster({ redis });
      const map = await waitForPlacement(system, system.chatServers.map((s) => s.id));
      if (system.redisCluster) ctx.log(`Redis Cluster nodes ${system.redisCluster.nodesEnv}`);
      ctx.log(`${REDIS_LABEL[redis]}: seeding ${members} users and the room`);
      await seedUsers(system, ups);
      const room = (await createGroup(system, 'fan-out room', ups, ups[0])).id;
      const serverIndex = (up: string) => system.chatServers.findIndex((s) => s.url === urlFor(map, up));
      const pids = systemPids(system);
      const redisPids = redisPidsOf(system);
      const oursPids: Record<string, PidSource> = { ...redisPids };
      ['chat-1', 'chat-2', 'data service', 'database'].forEach((k) => { if (pids[k]) oursPids[k] = pids[k] as PidSource; });
      const ours = await sweep(ctx, `ours${ON[redis]}`, generators, {
        clients: perGenerator.map((list) => list.map((up) => ({
          url: urlFor(map, up), up, token: tokenFor(system, up), rooms: [room],
        }))),
        wire: 'socketio',
        join: false,
        pids: oursPids,
      }, plan);

      const baseline = async (name: string, file: 'baseline/bare-socketio.ts' | 'baseline/bare-ws.ts', wire: Wire) => {
        const options = redis === 'cluster'
          ? { redisClusterNodes: system.redisCluster?.nodesEnv, maxMs: 30 * 60000 }
          : { redisUrl: system.redisUrl, maxMs: 30 * 60000 };
        const servers = await Promise.all([0, 1].map(() => baselineServer(ctx, file, options)));
        const result = await sweep(ctx, `${name}${ON[redis]}`, generators, {
          clients: perGenerator.map((list) => list.map((up) => ({
            url: (servers[Math.max(0, serverIndex(up))] ?? servers[0])?.url ?? '', up, rooms: [room],
          }))),
          wire,
          join: true,
          pids: { 'baseline 1': () => servers[0]?.pid, 'baseline 2': () => servers[1]?.pid, ...redisPids },
        }, plan);
        await Promise.all(servers.map((s) => s.stop()));
        return result;
      };
      const io = await baseline('bare Socket.IO', 'baseline/bare-socketio.ts', 'socketio');
      // bare ws is the floor on one Redis; on the cluster the comparison that matters is with bare Socket.IO.
      const ws = redis === 'single' ? await baseline('bare ws', 'baseline/bare-ws.ts', 'ws') : undefined;
      return {
        redis, ours, io, ws,
      };
    };
    const variants: Variant[] = [];
    for (const redis of ctx.redis) variants.push(await runOn(redis));
    const single = variants.find((v) => v.redis === 'single');
    const onCluster = variants.find((v) => v.redis === 'cluster');
    const sweeps = variants.flatMap((v) => [v.ours, v.io, ...(v.ws ? [v.ws] : [])]);
    writeChart(ctx, sweeps, members);

    const ratios: Record<string, number | null> = {};
    const goals: Goal[] = [];
    variants.forEach((v) => {
      const r = ratiosVsBare(v);
      const on = ON[v.redis];
      if (v.redis === 'single') {
        // The names runs before the Redis Cluster comparison used, so results stay comparable.
        ratios['sustained deliveries/s ÷ bare Socket.IO'] = r.throughput;
        if (v.ws) ratios['sustained deliveries/s ÷ bare ws'] = ratio(v.ours.sustainedDeliveriesPerSecond ?? 0, v.ws.sustainedDeliveriesPerSecond ?? 0);
        ratios['p99 send→receive ÷ bare Socket.IO (highest load both kept up)'] = r.p99;
        ratios[`p99 send→receive at ${P99_AT} deliveries/s ÷ bare Socket.IO`] = p99At(v.ours, v.io);
        ratios['CPU per 1000 deliveries ÷ bare Socket.IO (same load)'] = r.cpu;
      } else {
        ratios[`ours${on}: sustained deliveries/s ÷ bare Socket.IO${on}`] = r.throughput;
        ratios[`ours${on}: p99 send→receive ÷ bare Socket.IO${on} (highest load both kept up)`] = r.p99;
        ratios[`ours${on}: CPU per 1000 deliveries ÷ bare Socket.IO${on} (same load)`] = r.cpu;
      }
      goals.push({
        goal: `fan-out throughput within 1.3× of bare Socket.IO, persistence included${on ? `, both${on}` : ''}`,
        actual: r.throughput === null ? 'no step kept up' : `ours ÷ baseline = ${r.throughput}`,
        met: r.throughput === null ? null : r.throughput >= 1 / 1.3,
      }, {
        goal: `fan-out p99 within 1.3× of bare Socket.IO${on ? `, both${on}` : ''}`,
        actual: r.p99 === null ? 'no common step kept up' : `ours ÷ baseline = ${r.p99} (at ${r.at} deliveries/s)`,
        met: r.p99 === null ? null : r.p99 <= 1.3,
      });
    });
    if (single && onCluster) {
      const both = commonStep(onCluster.ours, single.ours);
      ratios['ours on Redis Cluster ÷ ours on one Redis: sustained deliveries/s'] = ratio(
        onCluster.ours.sustainedDeliveriesPerSecond ?? 0,
        single.ours.sustainedDeliveriesPerSecond ?? 0,
      );
      ratios['ours on Redis Cluster ÷ ours on one Redis: p99 send→receive (highest load both kept up)'] = both
        ? ratio(both[0].sendToReceiveMs.p99, both[1].sendToReceiveMs.p99) : null;
      ratios['ours on Redis Cluster ÷ ours on one Redis: CPU per 1000 deliveries (same load)'] = both
        ? ratio(both[0].cpuMsPer1000Deliveries, both[1].cpuMsPer1000Deliveries) : null;
    }

    // Every sweep side by side at the highest load all of them kept up (else the lowest, where every sweep has a
    // step), with ratios to bare Socket.IO on the same Redis.
    const allKept = stepAllKeptUp(sweeps);
    const at = allKept ?? (sweeps.every((sw) => sw.steps.length > 0) ? 0 : undefined);
    const sideBySide = variants.flatMap((v) => [v.ours, v.io, ...(v.ws ? [v.ws] : [])].map((sw): Cell[] => {
      const step = at === undefined ? undefined : sw.steps[at];
      const bare = at === undefined ? undefined : v.io.steps[at];
      return [
        sw.name,
        REDIS_LABEL[v.redis],
        sw.sustainedDeliveriesPerSecond,
        ratio(sw.sustainedDeliveriesPerSecond ?? 0, v.io.sustainedDeliveriesPerSecond ?? 0),
        step?.sendToReceiveMs.p50 ?? null,
        step?.sendToReceiveMs.p99 ?? null,
        step && bare ? ratio(step.sendToReceiveMs.p99, bare.sendToReceiveMs.p99) : null,
        step?.cpuMsPer1000Deliveries ?? null,
        step && bare ? ratio(step.cpuMsPer1000Deliveries, bare.cpuMsPer1000Deliveries) : null,
      ];
    }));
    let atLoad = 'no step every sweep ran';
    if (at !== undefined) atLoad = `${targets[at]} deliveries/s offered${allKept === undefined ? ', the lowest step: not every sweep kept up there' : ''}`;
    const baselines: Record<string, Sweep> = {};
    variants.forEach((v) => {
      baselines[v.io.name] = v.io;
      if (v.ws) baselines[v.ws.name] = v.ws;
    });
    return {
      size: {
        members,
        servers: 2,
        senders: senderCount,
        stepSeconds: stepMs / 1000,
        offeredDeliveriesPerSecond: targets.join(' / '),
        redis: ctx.redis.map((k) => REDIS_LABEL[k]).join(', '),
      },
      ours: Object.fromEntries(variants.map((v) => [v.ours.name, v.ours])),
      baselines,
      ratios,
      tables: [{
        title: 'Steps (a sweep stops at the first step that does not keep up)',
        table: {
          headers: ['server', 'msg/s', 'offered deliveries/s', 'achieved deliveries/s', 'delivered %', 'p50 ms', 'p99 ms',
            'ack p99 ms', 'server CPU % of a core', 'CPU ms per 1000 deliveries', 'generator CPU % of a core', 'kept up'],
          rows: sweeps.flatMap(stepRows),
        },
      }, {
        title: 'Sustained deliveries per second (highest step that kept up)',
        table: {
          headers: ['server', 'deliveries/s'],
          rows: sweeps.map((sw) => [sw.name, sw.sustainedDeliveriesPerSecond]),
        },
      }, {
        title: `Each Redis setup beside bare Socket.IO on the same Redis (latency and CPU at ${atLoad})`,
        table: {
          headers: ['server', 'Redis', 'sustained deliveries/s', '÷ bare Socket.IO', 'p50 ms', 'p99 ms', 'p99 ÷ bare Socket.IO',
            'CPU ms per 1000 deliveries', 'CPU ÷ bare Socket.IO'],
          rows: sideBySide,
        },
      }],
      goals,
      notes: [
        ...sweeps.filter((sw) => sw.connectRetries > 0).map((sw) => `${sw.name}: ${sw.connectRetries} connection attempt(s) failed and were retried (first error: ${sw.connectError}).`),
        'A step keeps up when ≥ 99.9 % of deliveries arrive, ≥ 90 % of the offered rate arrives within the step, p99 ≤ 1 s and no send is refused.',
        'Every member (the sender included) receives each message; a delivery\'s latency is the receiver\'s clock minus the send time stamped in the message (same machine, same clock).',
        'Server CPU sums every server-side process: for ours both chat servers, the data service, Redis and the database; for the baselines both servers and Redis.',
        ...(onCluster ? ['On the Redis Cluster (3 primaries + 3 replicas, all on this machine, started for this scenario and stopped after it) "Redis" is all six redis-server processes: replicas take every published message too. The chat servers and bare Socket.IO use the same sharded adapter over node-redis cluster clients; bare ws runs on one Redis only.'] : []),
        `Senders: ${senderCount} members, round-robin, under the chat server's per-socket limit of 20 messages per 5 s.`,
        'Load generators use a minimal Socket.IO client over ws (bench/lib/lite-client.ts); their CPU is shown per step.',
      ],
    };
  },
};
