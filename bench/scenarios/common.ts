/** Pieces several scenarios share: generators, baseline servers, idling, CPU tables. */
import type { TestSystem } from '../../test/support/system';
import type { SocketLoadCommands } from '../generators/protocol';
import { sleep } from '../lib/clock';
import { CpuMeter, coreCount } from '../lib/cpu';
import type { CpuDelta, PidSource } from '../lib/cpu';
import { forkChild } from '../lib/processes';
import type { ChildHandle } from '../lib/processes';
import type { Cell, Table } from '../lib/report';
import { round } from '../lib/stats';
import type { ScenarioContext } from './context';

export type SocketGenerator = ChildHandle<SocketLoadCommands>;

/** Forks `count` socket generators, stopped after the scenario. */
export async function socketGenerators(ctx: ScenarioContext, count: number, maxMs: number): Promise<SocketGenerator[]> {
  const generators = await Promise.all(Array.from({ length: count }, () => forkChild<SocketLoadCommands>(
    'generators/socket-load.ts',
    { maxMs },
  )));
  ctx.defer(() => Promise.all(generators.map((g) => g.stop())));
  return generators;
}

export interface BaselineServer {
  url: string;
  pid: number;
  stop: () => Promise<void>;
  /** kill -9, as a crash would; resolves once it is gone. */
  kill: () => Promise<void>;
}

/** Forks a baseline server (bare-socketio, bare-ws, bare-http), stopped after the scenario. */
export async function baselineServer(
  ctx: ScenarioContext,
  file: 'baseline/bare-socketio.ts' | 'baseline/bare-ws.ts' | 'baseline/bare-http.ts',
  options: {
    redisUrl?: string; redisClusterNodes?: string; port?: number; maxMs: number;
  },
): Promise<BaselineServer> {
  const env: Record<string, string> = {};
  if (options.redisUrl) env.BENCH_REDIS_URL = options.redisUrl;
  if (options.redisClusterNodes) env.BENCH_REDIS_CLUSTER_NODES = options.redisClusterNodes;
  if (options.port) env.BENCH_PORT = String(options.port);
  const child = await forkChild<Record<string, never>, { port: number }>(file, { maxMs: options.maxMs, env });
  ctx.defer(() => child.stop());
  return {
    url: `http://127.0.0.1:${child.info.port}`, pid: child.pid, stop: () => child.stop(), kill: () => child.kill(),
  };
}

/** Splits `items` into `parts` nearly equal slices (round-robin). */
export function split<T>(items: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((item, i) => out[i % parts]?.push(item));
  return out;
}

/**
 * Waits until the watched processes are quiet (each under `percent` of a core
 * over half a second), at most `maxMs`: leftovers of a setup or of the previous
 * step must not be charged to the next measurement.
 */
export async function waitForIdle(pids: Record<string, PidSource>, maxMs = 10000, percent = 10): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const meter = new CpuMeter(pids).start();
    await sleep(500);
    const busy = Object.values(meter.delta().processes).some((p) => p.percentOfCore > percent);
    if (!busy) return true;
  }
  return false;
}

/**
 * CPU seconds and % of one core per process over a measured interval, the
 * generators', and what the rest of the machine used meanwhile (anything not
 * ours: on a shared machine, a reason to distrust the figures).
 */
export function cpuTable(delta: CpuDelta, generatorCpuSeconds: number): Table {
  const rows: Cell[][] = Object.entries(delta.processes)
    .map(([name, use]) => [name, round(use.seconds), round(use.percentOfCore)]);
  const generatorPercent = (100 * generatorCpuSeconds) / delta.wallSeconds;
  rows.push(['load generators (own process.cpuUsage)', round(generatorCpuSeconds), round(generatorPercent)]);
  const machinePercentOfCore = delta.machineBusyPercent * coreCount();
  const ours = Object.values(delta.processes).reduce((n, p) => n + p.percentOfCore, 0) + generatorPercent;
  const others = Math.max(0, machinePercentOfCore - ours);
  rows.push(['everything else on the machine', round((others * delta.wallSeconds) / 100), round(others)]);
  rows.push(['whole machine', round((machinePercentOfCore * delta.wallSeconds) / 100), `${round(machinePercentOfCore)} (of ${100 * coreCount()})`]);
  return { headers: ['process', 'CPU s', '% of one core'], rows };
}

/** The chat servers of a system by id, for CPU and memory. */
export const chatServerPid = (system: TestSystem, id: string): PidSource => () => {
  const server = system.chatServers.find((s) => s.id === id);
  return server && !server.exited() ? server.child.pid : undefined;
};

export const ms = (value: number): string => `${round(value)} ms`;
export const perSecond = (value: number): string => `${round(value)}/s`;
