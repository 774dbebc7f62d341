/**
 * Scenario 6, placement: GET /chat/location requests per second and latency
 * with 10 chat servers registered (the cluster's two, plus eight registered
 * through the dispatcher's internal API and kept alive with heartbeats), under
 * closed-loop load from generator processes, one JWT per user. Baseline: a
 * bare Express server answering a constant JSON body.
 */
import type { TestSystem } from '../../test/support/system';
import type { HttpLoadCommands, HttpLoadResult, HttpTarget } from '../generators/protocol';
import type { CpuDelta, PidSource } from '../lib/cpu';
import { CpuMeter } from '../lib/cpu';
import { forkChild } from '../lib/processes';
import type { ChildHandle } from '../lib/processes';
import type { Cell } from '../lib/report';
import {
  Histogram, ratio, round, roundSummary,
} from '../lib/stats';
import type { LatencySummary } from '../lib/stats';
import { placementMap, tokenFor } from '../lib/system';
import { baselineServer, cpuTable, waitForIdle } from './common';
import type { Scenario } from './context';

const SERVERS = 10;
const GENERATORS = 2;
const CONCURRENCY = 16;
const USERS = 1000;

interface LoadFigures {
  requests: number;
  errors: number;
  firstError?: string;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  serverCpuPercentOfCore: number;
  generatorCpuPercentOfCore: number;
  cpu: CpuDelta;
}

async function load(
  generators: ChildHandle<HttpLoadCommands>[],
  targets: HttpTarget[],
  durationMs: number,
  pids: Record<string, PidSource>,
): Promise<LoadFigures> {
  await waitForIdle(pids, 5000);
  const meter = new CpuMeter(pids).start();
  const results: HttpLoadResult[] = await Promise.all(generators.map((g) => g.call('run', {
    targets, concurrency: CONCURRENCY, durationMs,
  }, durationMs + 60000)));
  const cpu = meter.delta();
  const requests = results.reduce((n, r) => n + r.requests, 0);
  const serverSeconds = Object.values(cpu.processes).reduce((n, p) => n + p.seconds, 0);
  const generatorSeconds = results.reduce((n, r) => n + r.cpuSeconds, 0);
  return {
    requests,
    errors: results.reduce((n, r) => n + r.errors, 0),
    firstError: results.find((r) => r.firstError)?.firstError,
    requestsPerSecond: round(requests / cpu.wallSeconds),
    latencyMs: roundSummary(Histogram.from(...results.map((r) => r.latency)).summary()),
    serverCpuPercentOfCore: round((100 * serverSeconds) / cpu.wallSeconds),
    generatorCpuPercentOfCore: round((100 * generatorSeconds) / cpu.wallSeconds),
    cpu,
  };
}

/** Registers fake chat servers and beats for them until stopped (then deregisters them). */
async function fakeServers(system: TestSystem, count: number): Promise<() => Promise<void>> {
  const headers = { 'content-type': 'application/json', 'x-internal-token': system.secrets.INTERNAL_TOKEN };
  const servers = Array.from({ length: count }, (_, i) => ({
    id: `bench-fake-${i + 1}`, url: `http://127.0.0.1:${61000 + i}`, capacity: 1000, load: 0,
  }));
  let interval = 1000;
  await Promise.all(servers.map(async (s) => {
    const res = await fetch(`${system.dispatcherUrl}/dispatcher/servers`, { method: 'POST', headers, body: JSON.stringify(s) });
    if (!res.ok) throw new Error(`register ${s.id}: ${res.status} ${await res.text()}`);
    const body = await res.json() as { heartbeatIntervalMs?: number };
    interval = Math.min(interval, body.heartbeatIntervalMs ?? interval);
  }));
  const timer = setInterval(() => {
    servers.forEach((s) => {
      void fetch(`${system.dispatcherUrl}/dispatcher/servers/${s.id}/heartbeat`, {
        method: 'PUT', headers, body: JSON.stringify({ url: s.url, capacity: s.capacity, load: s.load }),
      }).catch(() => {});
    });
  }, interval);
  return async () => {
    clearInterval(timer);
    await Promise.all(servers.map((s) => fetch(`${system.dispatcherUrl}/dispatcher/servers/${s.id}`, {
      method: 'DELETE', headers,
    }).catch(() => {})));
  };
}

const loadRow = (name: string, f: LoadFigures): Cell[] => [
  name, f.requestsPerSecond, f.latencyMs.p50, f.latencyMs.p99, f.latencyMs.max, f.errors,
  f.serverCpuPercentOfCore, f.generatorCpuPercentOfCore,
];

export const placement: Scenario = {
  name: 'placement',
  title: '6. Placement: GET /chat/location with 10 chat servers registered',
  budgetMs: (quick) => (quick ? 60000 : 10 * 60000),
  run: async (ctx) => {
    const durationMs = ctx.quick ? 3000 : 20000;
    const system = await ctx.cluster();
    const stopFakes = await fakeServers(system, SERVERS - system.chatServers.length);
    ctx.defer(stopFakes);
    const map = await placementMap(system);
    const owners = new Set(Object.values(map.leaves));
    ctx.log(`map v${map.version}: ${Object.keys(map.servers).length} servers, ${Object.keys(map.leaves).length} leaves on ${owners.size} of them`);
    const generators = await Promise.all(Array.from({ length: GENERATORS }, () => forkChild<HttpLoadCommands>(
      'generators/http-load.ts',
      { maxMs: 10 * 60000 },
    )));
    ctx.defer(() => Promise.all(generators.map((g) => g.stop())));
    const targets = Array.from({ length: USERS }, (_, i) => {
      const up = String(6_000_000 + i);
      return { url: `${system.dispatcherUrl}/chat/location`, headers: { authorization: `Bearer ${tokenFor(system, up)}` } };
    });
    const dispatcher = system.dispatchers[0];
    const oursPids: Record<string, PidSource> = { dispatcher: () => dispatcher?.child.pid };
    ctx.log(`ours: ${GENERATORS}×${CONCURRENCY} connections for ${durationMs / 1000} s`);
    const ours = await load(generators, targets, durationMs, oursPids);
    const bare = await baselineServer(ctx, 'baseline/bare-http.ts', { maxMs: 10 * 60000 });
    ctx.log('baseline: bare Express');
    const baseline = await load(generators, [{ url: `${bare.url}/chat/location` }], durationMs, { 'bare Express': () => bare.pid });
    await bare.stop();
    await stopFakes();

    return {
      size: {
        serversRegistered: Object.keys(map.servers).length,
        users: USERS,
        connections: GENERATORS * CONCURRENCY,
        seconds: durationMs / 1000,
      },
      ours,
      baselines: { 'bare Express, constant JSON': baseline },
      ratios: {
        'requests/s ÷ bare Express': ratio(ours.requestsPerSecond, baseline.requestsPerSecond),
        'p99 ÷ bare Express': ratio(ours.latencyMs.p99, baseline.latencyMs.p99),
      },
      tables: [{
        title: 'GET /chat/location under closed-loop load',
        table: {
          headers: ['server', 'requests/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'server CPU % of a core', 'generator CPU % of a core'],
          rows: [loadRow('ours (dispatcher)', ours), loadRow('bare Express', baseline)],
        },
      }, {
        title: 'CPU during the load, ours',
        table: cpuTable(ours.cpu, (ours.generatorCpuPercentOfCore * ours.cpu.wallSeconds) / 100),
      }],
      goals: [],
      notes: [
        `Ours: every request carries one of ${USERS} users' JWT; the dispatcher verifies it (HS256) and places the user on the map (${Object.keys(map.leaves).length} leaves over ${owners.size} servers, from Redis through its cache).`,
        `${SERVERS - system.chatServers.length} of the ${SERVERS} servers are registered through POST /dispatcher/servers and kept alive by heartbeats from the runner; nothing listens at their URLs (only placement is measured).`,
        ...(ours.firstError ? [`First error (ours): ${ours.firstError}`] : []),
      ],
    };
  },
};
