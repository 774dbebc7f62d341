/**
 * The workload of the fault scenarios: a cohort of resilient clients in
 * groups, each sending to its group at a steady pace while the test breaks
 * things, then the checks of what came of it: every acknowledged message
 * stored once with seq 1..N, and held by every member once, in order.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { StoredMessage } from '@chat/shared';
import { ResilientClient, deliveryReport } from '../../support/chat-client';
import type { DeliveryReport } from '../../support/chat-client';
import type { Account, TestSystem } from '../../support/system';
import {
  createAccounts, createGroupDirect, freshUps, storedMessages,
} from './setup';
import {
  eventually, percentile, pool, sleep,
} from './wait';

export interface Cohort {
  system: TestSystem;
  accounts: Account[];
  clients: ResilientClient[];
  /** Group id → the clients of its members. */
  rooms: Map<string, ResilientClient[]>;
}

/** `groups` groups of `perGroup` new users each, every user connected (through the dispatcher) and in its group's room. */
export async function buildCohort(system: TestSystem, groups: number, perGroup: number): Promise<Cohort> {
  const accounts = await createAccounts(system, freshUps(groups * perGroup));
  const rooms = new Map<string, ResilientClient[]>();
  const clients = accounts.map((a) => new ResilientClient(system, a.up, a.token));
  for (let g = 0; g < groups; g += 1) {
    const members = accounts.slice(g * perGroup, (g + 1) * perGroup).map((a) => a.up);
    const room = await createGroupDirect(system, `reliability ${g + 1}`, members);
    rooms.set(room, clients.slice(g * perGroup, (g + 1) * perGroup));
  }
  await pool(clients, 25, (c) => c.connect());
  await pool([...rooms], 5, ([room, members]) => Promise.all(members.map((c) => c.join(room))));
  return {
    system, accounts, clients, rooms,
  };
}

export function closeCohort(cohort: Cohort | undefined): void {
  cohort?.clients.forEach((c) => c.close());
}

interface Acked { id: string; clientId: string }

/** Every client sends to its group every `intervalMs` (± half), each send retried until `deadlineMs`. */
export class Traffic {
  sent = 0;

  failed = 0;

  readonly failures: string[] = [];

  /** Group → seq → the acknowledged message. */
  readonly acked = new Map<string, Map<number, Acked>>();

  /** Send → ack times in ms, retries included. */
  readonly latencies: number[] = [];

  private running = true;

  private readonly loops: Promise<void>[];

  constructor(cohort: Cohort, private readonly intervalMs: number, private readonly deadlineMs = 45000) {
    this.loops = [...cohort.rooms].flatMap(([room, members]) => members.map((c) => this.loop(c, room)));
  }

  private async loop(client: ResilientClient, room: string): Promise<void> {
    await sleep(Math.random() * this.intervalMs);
    while (this.running) {
      const clientId = crypto.randomUUID();
      this.sent += 1;
      const started = Date.now();
      try {
        const result = await client.send(room, `message ${this.sent} from ${client.up}`, this.deadlineMs, clientId);
        this.latencies.push(Date.now() - started);
        this.recordAck(room, result.seq, { id: result.id, clientId });
      } catch (err) {
        this.failed += 1;
        if (this.failures.length < 5) this.failures.push((err as Error).message);
      }
      await sleep(this.intervalMs * (0.5 + Math.random()));
    }
  }

  /** Counts a message acknowledged outside the loops (e.g. a probe) in the figures. */
  async sendOne(client: ResilientClient, room: string, message: string): Promise<number> {
    const clientId = crypto.randomUUID();
    this.sent += 1;
    const result = await client.send(room, message, this.deadlineMs, clientId);
    this.recordAck(room, result.seq, { id: result.id, clientId });
    return result.seq;
  }

  private recordAck(room: string, seq: number, acked: Acked): void {
    const seqs = this.acked.get(room) ?? new Map<number, Acked>();
    this.acked.set(room, seqs);
    seqs.set(seq, acked);
  }

  /** Stops sending and waits for the sends in flight to be acknowledged or given up. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  ackedSeqs(): Map<string, number[]> {
    return new Map([...this.acked].map(([room, seqs]) => [room, [...seqs.keys()]]));
  }

  latencySummary(): { p50: number; p95: number; max: number } {
    return {
      p50: percentile(this.latencies, 50), p95: percentile(this.latencies, 95), max: percentile(this.latencies, 100),
    };
  }
}

/**
 * Waits until every client is connected again, then lets each catch up its
 * rooms once more, as a client does after any doubt. Returns how many
 * messages that last catch-up brought (what live delivery had missed).
 */
export async function settle(cohort: Cohort, timeoutMs = 30000): Promise<{ settleMs: number; repaired: number }> {
  const settleMs = await eventually(() => cohort.clients.every((c) => c.connected), 'every client connected', timeoutMs);
  const heldBy = (c: ResilientClient) => [...c.messages.values()].reduce((n, list) => n + list.length, 0);
  const held = () => cohort.clients.reduce((n, c) => n + heldBy(c), 0);
  const before = held();
  await pool(cohort.clients, 20, async (c) => {
    try {
      await c.resync();
    } catch {
      // Dropped in the middle of it: it reconnects and catches up by itself; give it one more go.
      await c.connect();
      await c.resync();
    }
  });
  return { settleMs, repaired: held() - before };
}

export interface Verification extends DeliveryReport {
  /** Send attempts refused, by error code (a refused attempt is retried with the same clientId). */
  sendErrors: Record<string, number>;
  /** Sends given up after the deadline: never acknowledged (they may or may not be stored). */
  gaveUp: number;
  /** Why the first few sends were given up. */
  gaveUpBecause: string[];
  stored: number;
  /** Stored but never acknowledged (the ack was lost with a server, or the send gave up after storing). */
  storedUnacked: number;
  /** Two stored messages with one clientId. */
  storedTwice: number;
  /** Places where stored seqs are not exactly 1..N. */
  seqGaps: number;
  /** Acknowledged, but not stored as acknowledged (must never happen). */
  falseAcks: number;
  /** Stored messages some member does not hold, summed over members. */
  missingAtMembers: number;
  /** Members whose messages are not in strictly ascending seq. */
  outOfOrder: number;
  ackLatencyMs: { p50: number; p95: number; max: number };
}

function checkRoom(stored: StoredMessage[], acked: Map<number, Acked>, members: ResilientClient[], room: string) {
  const clientIds = new Set(stored.map((m) => m.clientId));
  const bySeq = new Map(stored.map((m) => [m.seq, m]));
  const ackedIds = new Set([...acked.values()].map((a) => a.clientId));
  let missing = 0;
  let outOfOrder = 0;
  members.forEach((client) => {
    const held = (client.messages.get(room) ?? []).map((m) => m.seq);
    if (held.some((seq, i) => i > 0 && seq <= (held[i - 1] as number))) outOfOrder += 1;
    const holds = new Set(held);
    missing += stored.filter((m) => !holds.has(m.seq)).length;
  });
  return {
    storedTwice: stored.length - clientIds.size,
    seqGaps: stored.filter((m, i) => m.seq !== i + 1).length,
    falseAcks: [...acked].filter(([seq, a]) => {
      const found = bySeq.get(seq);
      return found?.id !== a.id || found.clientId !== a.clientId;
    }).length,
    storedUnacked: stored.filter((m) => !ackedIds.has(m.clientId)).length,
    missing,
    outOfOrder,
  };
}

export async function verify(cohort: Cohort, traffic: Traffic): Promise<Verification> {
  const report = deliveryReport(traffic.sent, traffic.ackedSeqs(), cohort.rooms);
  const totals = {
    stored: 0, storedUnacked: 0, storedTwice: 0, seqGaps: 0, falseAcks: 0, missingAtMembers: 0, outOfOrder: 0,
  };
  for (const [room, members] of cohort.rooms) {
    const stored = await storedMessages(cohort.system, room);
    const checked = checkRoom(stored, traffic.acked.get(room) ?? new Map<number, Acked>(), members, room);
    totals.stored += stored.length;
    totals.storedUnacked += checked.storedUnacked;
    totals.storedTwice += checked.storedTwice;
    totals.seqGaps += checked.seqGaps;
    totals.falseAcks += checked.falseAcks;
    totals.missingAtMembers += checked.missing;
    totals.outOfOrder += checked.outOfOrder;
  }
  const sendErrors: Record<string, number> = {};
  cohort.clients.forEach((c) => c.sendErrors.forEach((n, code) => { sendErrors[code] = (sendErrors[code] ?? 0) + n; }));
  return {
    ...report,
    ...totals,
    sendErrors,
    gaveUp: traffic.failed,
    gaveUpBecause: traffic.failures,
    ackLatencyMs: traffic.latencySummary(),
  };
}

/** Nothing lost, nothing twice, nothing out of order, nothing acknowledged that is not stored. */
export function assertNoLossNoDuplicate(v: Verification): void {
  assert.ok(v.acked > 0, 'some messages were acknowledged');
  assert.equal(v.falseAcks, 0, 'an acknowledged message is not stored as acknowledged');
  assert.equal(v.lost, 0, 'an acknowledged message never reached a member');
  assert.equal(v.missingAtMembers, 0, 'a stored message never reached a member');
  assert.equal(v.duplicated, 0, 'a member holds a message twice');
  assert.equal(v.storedTwice, 0, 'a message is stored twice');
  assert.equal(v.seqGaps, 0, 'stored seqs are not exactly 1..N');
  assert.equal(v.outOfOrder, 0, 'a member holds messages out of seq order');
}
