/**
 * A measured load step shared by the fan-out and latency scenarios: the
 * generators send at a fixed open-loop rate for a while; the step reports what
 * arrived in the window, what arrived by the end of the drain, latencies, and
 * the CPU of every server-side process and of the generators.
 */
import type { ClientSpec, LoadStats } from '../generators/protocol';
import { sleep } from '../lib/clock';
import { CpuMeter } from '../lib/cpu';
import type { CpuDelta, PidSource } from '../lib/cpu';
import type { Wire } from '../lib/lite-client';
import { Histogram, round, roundSummary } from '../lib/stats';
import type { LatencySummary } from '../lib/stats';
import type { SocketGenerator } from './common';

export interface StepFigures {
  offeredRate: number;
  offeredDeliveriesPerSecond: number;
  durationSeconds: number;
  sent: number;
  expectedDeliveries: number;
  /** Deliveries that arrived while the senders were sending. */
  receivedInWindow: number;
  /** Deliveries that arrived by the end of the drain. */
  received: number;
  achievedDeliveriesPerSecond: number;
  deliveredPercent: number;
  sendToReceiveMs: LatencySummary;
  sendToAckMs: LatencySummary;
  acked: number;
  ackErrors: Record<string, number>;
  /** Every server-side process (chat servers, data service, Redis, database) together. */
  serverCpuSeconds: number;
  serverCpuPercentOfCore: number;
  cpuMsPer1000Deliveries: number;
  generatorCpuPercentOfCore: number;
  generatorCpuSeconds: number;
  maxSendLagMs: number;
  cpu: CpuDelta;
}

export interface StepPlan {
  /** Messages per second, all generators together. */
  rate: number;
  durationMs: number;
  /** Per generator, the indexes of its clients that send. */
  senders: number[][];
  /** Sockets that receive each message (the room's members, sender included). */
  receiversPerMessage: number;
  /** Longest wait for stragglers after the senders stop. */
  drainMs: number;
}

const sum = (list: LoadStats[], pick: (s: LoadStats) => number) => list.reduce((n, s) => n + pick(s), 0);

async function statsOf(generators: SocketGenerator[], reset: boolean): Promise<LoadStats[]> {
  return Promise.all(generators.map((g) => g.call('stats', { reset })));
}

export interface ConnectFigures {
  sockets: number;
  /** Connection attempts that failed and succeeded on a retry. */
  retried: number;
  firstError?: string;
  seconds: number;
  generatorCpuSeconds: number;
}

/**
 * Connects every generator's clients, `concurrency` at a time per generator
 * (setup, not measured: a chat server's handshake loads the user's groups); any failure stops the scenario (a missing receiver would skew every figure). */
export async function connectAll(
  generators: SocketGenerator[],
  clients: ClientSpec[][],
  wire: Wire,
  join: boolean,
  concurrency = 8,
): Promise<ConnectFigures> {
  const t0 = performance.now();
  const results = await Promise.all(generators.map((g, i) => g.call('connect', {
    clients: clients[i] ?? [], wire, concurrency, join,
  }, 600000)));
  const failed = results.reduce((n, r) => n + r.failed + r.joinFailed, 0);
  if (failed > 0) {
    throw new Error(`${failed} of ${clients.flat().length} sockets failed to connect or join: ${results.find((r) => r.firstError)?.firstError}`);
  }
  return {
    sockets: results.reduce((n, r) => n + r.connected, 0),
    retried: results.reduce((n, r) => n + r.retried, 0),
    firstError: results.find((r) => r.firstError)?.firstError,
    seconds: round((performance.now() - t0) / 1000),
    generatorCpuSeconds: round(results.reduce((n, r) => n + r.cpuSeconds, 0)),
  };
}

export async function runStep(
  generators: SocketGenerator[],
  plan: StepPlan,
  pids: Record<string, PidSource>,
): Promise<StepFigures> {
  await statsOf(generators, true);
  const meter = new CpuMeter(pids).start();
  const perGenerator = plan.rate / generators.length;
  const sends = await Promise.all(generators.map((g, i) => g.call('send', {
    rate: perGenerator, durationMs: plan.durationMs, senders: plan.senders[i] ?? [],
  }, plan.durationMs + 60000)));
  const cpu = meter.delta();
  const inWindow = sum(await statsOf(generators, false), (s) => s.received);
  const sent = sends.reduce((n, s) => n + s.sent, 0);
  const expected = sent * plan.receiversPerMessage;
  // Drain: until everything arrived, or nothing more arrives for a second, or the drain time is up.
  const drainEnd = Date.now() + plan.drainMs;
  let last = inWindow;
  let quietSince = Date.now();
  while (Date.now() < drainEnd && last < expected && Date.now() - quietSince < 1000) {
    await sleep(100);
    const now = sum(await statsOf(generators, false), (s) => s.received);
    if (now > last) { last = now; quietSince = Date.now(); }
  }
  const final = await statsOf(generators, true);
  const received = sum(final, (s) => s.received);
  const serverCpuSeconds = Object.values(cpu.processes).reduce((n, p) => n + p.seconds, 0);
  const generatorCpu = sum(final, (s) => s.cpuSeconds);
  const ackErrors: Record<string, number> = {};
  final.forEach((s) => Object.entries(s.ackErrors).forEach(([code, n]) => {
    ackErrors[code] = (ackErrors[code] ?? 0) + n;
  }));
  return {
    offeredRate: plan.rate,
    offeredDeliveriesPerSecond: plan.rate * plan.receiversPerMessage,
    durationSeconds: round(cpu.wallSeconds),
    sent,
    expectedDeliveries: expected,
    receivedInWindow: inWindow,
    received,
    achievedDeliveriesPerSecond: round(inWindow / cpu.wallSeconds),
    deliveredPercent: expected > 0 ? round((100 * received) / expected, 4) : 0,
    sendToReceiveMs: roundSummary(Histogram.from(...final.map((s) => s.delivery)).summary()),
    sendToAckMs: roundSummary(Histogram.from(...final.map((s) => s.ack)).summary()),
    acked: sum(final, (s) => s.acked),
    ackErrors,
    serverCpuSeconds: round(serverCpuSeconds),
    serverCpuPercentOfCore: round((100 * serverCpuSeconds) / cpu.wallSeconds),
    cpuMsPer1000Deliveries: inWindow > 0 ? round((1000 * serverCpuSeconds) / (inWindow / 1000)) : 0,
    // The generators' CPU covers the window and the drain; charged over the window, an upper bound.
    generatorCpuPercentOfCore: round((100 * generatorCpu) / cpu.wallSeconds),
    generatorCpuSeconds: round(generatorCpu),
    maxSendLagMs: round(Math.max(...sends.map((s) => s.maxLagMs))),
    cpu,
  };
}

/** Waits until every message sent since the last stats reset was answered (acked or refused). */
export async function waitForAcks(
  generators: SocketGenerator[],
  sent: number,
  timeoutMs: number,
): Promise<LoadStats[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await statsOf(generators, false);
    const answered = sum(stats, (s) => s.acked + Object.values(s.ackErrors).reduce((a, b) => a + b, 0));
    if (answered >= sent || Date.now() > deadline) return stats;
    await sleep(100);
  }
}

/** A step kept up when (nearly) everything arrived, in time, without refused sends. */
export function keptUp(step: StepFigures, p99LimitMs = 1000): boolean {
  const refused = Object.values(step.ackErrors).reduce((a, b) => a + b, 0);
  return step.deliveredPercent >= 99.9
    && step.achievedDeliveriesPerSecond >= 0.9 * step.offeredDeliveriesPerSecond
    && step.sendToReceiveMs.p99 <= p99LimitMs
    && refused <= 0.001 * step.sent;
}
