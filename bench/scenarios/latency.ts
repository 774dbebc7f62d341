/**
 * Scenario 3, end-to-end latency: many small groups over two chat servers at a
 * steady offered rate; send→ack (stored: the ack means persisted) and
 * send→receive, p50 / p99 / p99.9 / max; against bare Socket.IO on the same
 * Redis adapter with the same clients, groups and rate.
 */
import type { ClientSpec } from '../generators/protocol';
import type { PidSource } from '../lib/cpu';
import type { Wire } from '../lib/lite-client';
import type { Cell } from '../lib/report';
import type { LatencySummary } from '../lib/stats';
import { ratio } from '../lib/stats';
import {
  createGroup, seedUsers, systemPids, tokenFor, urlFor, waitForPlacement,
} from '../lib/system';
import { pool } from '../lib/pool';
import {
  baselineServer, cpuTable, ms, socketGenerators, split, waitForIdle,
} from './common';
import type { SocketGenerator } from './common';
import type { Scenario } from './context';
import { connectAll, runStep } from './load';
import type { StepFigures } from './load';

const GROUP_SIZE = 10;

async function measure(
  generators: SocketGenerator[],
  clients: ClientSpec[][],
  options: {
    wire: Wire; join: boolean; rate: number; durationMs: number; pids: Record<string, PidSource>; settleMs: number;
  },
): Promise<StepFigures> {
  await connectAll(generators, clients, options.wire, options.join);
  await waitForIdle(options.pids, options.settleMs);
  const senders = clients.map((list) => list.map((_c, i) => i));
  // Warm-up (not recorded).
  await runStep(generators, {
    rate: options.rate, durationMs: 1000, senders, receiversPerMessage: GROUP_SIZE, drainMs: 2000,
  }, options.pids);
  const step = await runStep(generators, {
    rate: options.rate, durationMs: options.durationMs, senders, receiversPerMessage: GROUP_SIZE, drainMs: 5000,
  }, options.pids);
  await Promise.all(generators.map((g) => g.call('close', {})));
  return step;
}

const latencyRow = (name: string, what: string, s: LatencySummary): Cell[] => [
  name, what, s.count, s.p50, s.p99, s.p999, s.max,
];

export const latency: Scenario = {
  name: 'latency',
  title: '3. End-to-end latency: small groups over two chat servers at a steady rate',
  budgetMs: (quick) => (quick ? 100000 : 25 * 60000),
  run: async (ctx) => {
    // Quick mode: half the brief's 200 clients / 100 msg/s, to stay near two minutes.
    const clientCount = ctx.quick ? 100 : 2000;
    const groupCount = clientCount / GROUP_SIZE;
    const rate = ctx.quick ? 50 : 1000;
    const durationMs = ctx.quick ? 3000 : 30000;
    const settleMs = ctx.quick ? 2000 : 10000;
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

    ctx.log(`ours: ${clientCount} clients, ${rate} msg/s for ${durationMs / 1000} s`);
    const ours = await measure(generators, perGenerator.map((list) => list.map((up) => ({
      url: urlFor(map, up), up, token: tokenFor(system, up), rooms: [roomOf.get(up) ?? ''],
    }))), {
      wire: 'socketio', join: false, rate, durationMs, pids: oursPids, settleMs,
    });

    ctx.log('baseline: bare Socket.IO');
    const options = { redisUrl: system.redisUrl, maxMs: 30 * 60000 };
    const servers = await Promise.all([0, 1].map(() => baselineServer(ctx, 'baseline/bare-socketio.ts', options)));
    const serverIndex = (up: string) => Math.max(0, system.chatServers.findIndex((s) => s.url === urlFor(map, up)));
    const bare = await measure(generators, perGenerator.map((list) => list.map((up) => ({
      url: servers[serverIndex(up)]?.url ?? '', up, rooms: [roomOf.get(up) ?? ''],
    }))), {
      wire: 'socketio',
      join: true,
      rate,
      durationMs,
      pids: {
        'baseline 1': () => servers[0]?.pid, 'baseline 2': () => servers[1]?.pid, redis: oursPids.redis ?? (() => undefined),
      },
      settleMs,
    });
    await Promise.all(servers.map((s) => s.stop()));

    const { p99 } = ours.sendToReceiveMs;
    return {
      size: {
        clients: clientCount,
        groups: groupCount,
        groupSize: GROUP_SIZE,
        offeredMessagesPerSecond: rate,
        seconds: durationMs / 1000,
      },
      ours,
      baselines: { 'bare Socket.IO': bare },
      ratios: {
        'p50 send→receive ÷ bare Socket.IO': ratio(ours.sendToReceiveMs.p50, bare.sendToReceiveMs.p50),
        'p99 send→receive ÷ bare Socket.IO': ratio(p99, bare.sendToReceiveMs.p99),
        'p99 send→ack ÷ bare Socket.IO': ratio(ours.sendToAckMs.p99, bare.sendToAckMs.p99),
        'server CPU ÷ bare Socket.IO': ratio(ours.serverCpuSeconds, bare.serverCpuSeconds),
      },
      tables: [{
        title: 'Latency (ms)',
        table: {
          headers: ['server', 'measure', 'samples', 'p50', 'p99', 'p99.9', 'max'],
          rows: [
            latencyRow('ours', 'send → ack (stored)', ours.sendToAckMs),
            latencyRow('ours', 'send → receive', ours.sendToReceiveMs),
            latencyRow('bare Socket.IO', 'send → ack', bare.sendToAckMs),
            latencyRow('bare Socket.IO', 'send → receive', bare.sendToReceiveMs),
          ],
        },
      }, {
        title: 'Delivery',
        table: {
          headers: ['server', 'sent', 'acked', 'refused', 'expected deliveries', 'delivered', 'delivered %',
            'server CPU % of a core', 'generator CPU % of a core'],
          rows: ([['ours', ours], ['bare Socket.IO', bare]] as [string, StepFigures][]).map(([name, f]) => [
            name, f.sent, f.acked, Object.values(f.ackErrors).reduce((a, b) => a + b, 0), f.expectedDeliveries,
            f.received, f.deliveredPercent, f.serverCpuPercentOfCore, f.generatorCpuPercentOfCore,
          ]),
        },
      }, { title: 'CPU during the measured window, ours', table: cpuTable(ours.cpu, ours.generatorCpuSeconds) }],
      goals: [{
        goal: `p99 send→receive < 50 ms at ${rate} msg/s`,
        actual: ms(p99),
        met: ours.sendToReceiveMs.count > 0 ? p99 < 50 : null,
      }],
      notes: [
        `Each client is in one group of ${GROUP_SIZE}; every client sends in turn (${rate / clientCount} msg/s each), open loop; members are spread over both chat servers by the dispatcher's placement, and the baseline uses the same split.`,
        'send → ack for ours includes persistence in the data service (the ack means stored); the baseline acks at once.',
      ],
    };
  },
};
