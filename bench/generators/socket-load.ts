/**
 * Generator: many lightweight sockets (see lib/lite-client.ts) that connect,
 * join rooms, send at a fixed open-loop rate and time every acknowledgement
 * and every delivery. Sent messages carry their send time; a delivery's
 * latency is the receiver's clock minus it (lib/clock.ts).
 */
import { nowMs, sleep } from '../lib/clock';
import { LiteClient } from '../lib/lite-client';
import type { Delivered } from '../lib/lite-client';
import { ownCpuSeconds } from '../lib/cpu';
import { serveCommands } from '../lib/processes';
import { pool } from '../lib/pool';
import { Histogram } from '../lib/stats';
import type {
  ClientSpec, ConnectResult, LoadStats, SendPlan, SendResult, SocketLoadCommands,
} from './protocol';

const STAMP = 'bench:';
const CONNECT_ATTEMPTS = 3;
const tag = process.pid.toString(36);

const clients: { spec: ClientSpec; client: LiteClient }[] = [];
const delivery = new Histogram();
const ack = new Histogram();
const ackErrors: Record<string, number> = {};
let received = 0;
let acked = 0;
let disconnects = 0;
let cpuSince = process.cpuUsage();
let wallSince = performance.now();
let sentTotal = 0;

function onMessage(m: Delivered): void {
  if (!m.message.startsWith(STAMP)) return;
  const stamp = Number(m.message.slice(STAMP.length, m.message.indexOf(':', STAMP.length)));
  received += 1;
  delivery.record(nowMs() - stamp);
}

const onClose = () => { disconnects += 1; };

type ConnectArgs = SocketLoadCommands['connect']['args'];

async function connect(args: ConnectArgs): Promise<ConnectResult> {
  const cpu = process.cpuUsage();
  const latency = new Histogram();
  let failed = 0;
  let retried = 0;
  let joinFailed = 0;
  let firstError: string | undefined;
  const fresh: { spec: ClientSpec; client: LiteClient }[] = [];
  const started = performance.now();
  await pool(args.clients, args.concurrency, async (spec) => {
    for (let attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt += 1) {
      const client = new LiteClient({
        url: spec.url, wire: args.wire, token: spec.token, onMessage, onClose,
      });
      const t0 = performance.now();
      try {
        await client.connect();
        latency.record(performance.now() - t0);
        fresh.push({ spec, client });
        return;
      } catch (err) {
        const { data } = err as { data?: unknown };
        firstError ??= `${(err as Error).message}${data ? ` ${JSON.stringify(data)}` : ''}`;
        if (attempt === CONNECT_ATTEMPTS) failed += 1;
        else retried += 1;
        await sleep(200 * attempt);
      }
    }
  });
  const connectMs = performance.now() - started;
  const joinStarted = performance.now();
  if (args.join) {
    await pool(fresh, args.concurrency, async ({ spec, client }) => {
      for (const room of spec.rooms) {
        const reply = await client.request('join room', { up: spec.up, room });
        if (!reply.ok) {
          joinFailed += 1;
          firstError ??= `join room: ${reply.code ?? 'failed'}`;
        }
      }
    });
  }
  clients.push(...fresh);
  return {
    connected: fresh.length,
    failed,
    retried,
    firstError,
    connectMs,
    joinMs: performance.now() - joinStarted,
    joinFailed,
    connectLatency: latency.toData(),
    cpuSeconds: ownCpuSeconds(cpu),
  };
}

function text(length: number): string {
  const head = `${STAMP}${nowMs()}:${tag}:`;
  return head.length >= length ? head : head + 'x'.repeat(length - head.length);
}

type Sender = { spec: ClientSpec; client: LiteClient };

function sendOne(sender: Sender, textLength: number): void {
  sentTotal += 1;
  const room = sender.spec.rooms[sentTotal % sender.spec.rooms.length] as string;
  const t0 = performance.now();
  void sender.client.request('chat message', {
    message: text(textLength),
    up: sender.spec.up,
    room,
    clientId: `${tag}-${sentTotal}`,
    timestamp: new Date().toISOString(),
  }).then((reply) => {
    if (reply.ok) {
      acked += 1;
      ack.record(performance.now() - t0);
    } else {
      const code = reply.code ?? 'UNKNOWN';
      ackErrors[code] = (ackErrors[code] ?? 0) + 1;
    }
  });
}

/** Open loop: each message leaves at its planned time whatever the acks do. */
async function send(plan: SendPlan): Promise<SendResult> {
  const senders = (plan.senders ?? clients.map((_c, i) => i))
    .map((i) => clients[i])
    .filter((c): c is Sender => c !== undefined && c.spec.rooms.length > 0);
  if (senders.length === 0 || plan.rate <= 0) return { sent: 0, maxLagMs: 0 };
  const textLength = plan.textLength ?? 100;
  const total = Math.floor((plan.durationMs / 1000) * plan.rate);
  const started = performance.now();
  let sent = 0;
  let maxLagMs = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      // Message k is planned at k / rate seconds.
      const due = Math.min(Math.floor((elapsed / 1000) * plan.rate) + 1, total);
      while (sent < due) {
        maxLagMs = Math.max(maxLagMs, elapsed - (sent / plan.rate) * 1000);
        sendOne(senders[sent % senders.length] as Sender, textLength);
        sent += 1;
      }
      if (elapsed >= plan.durationMs) { clearInterval(timer); resolve(); }
    }, 1);
  });
  return { sent, maxLagMs };
}

async function stats(args: { reset: boolean }): Promise<LoadStats> {
  const out: LoadStats = {
    received,
    delivery: delivery.toData(),
    acked,
    ack: ack.toData(),
    ackErrors: { ...ackErrors },
    disconnects,
    connected: clients.filter((c) => c.client.isConnected).length,
    cpuSeconds: ownCpuSeconds(cpuSince),
    wallSeconds: (performance.now() - wallSince) / 1000,
  };
  if (args.reset) {
    received = 0;
    acked = 0;
    disconnects = 0;
    delivery.reset();
    ack.reset();
    Object.keys(ackErrors).forEach((k) => { delete ackErrors[k]; });
    cpuSince = process.cpuUsage();
    wallSince = performance.now();
  }
  return out;
}

async function close(): Promise<{ closed: number }> {
  const closed = clients.length;
  clients.splice(0).forEach(({ client }) => client.close());
  return { closed };
}

serveCommands<SocketLoadCommands>({
  connect, send, stats, close,
});
