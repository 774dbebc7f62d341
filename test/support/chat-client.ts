/**
 * A chat client as a real app would write it, for tests and benchmarks: the
 * protocol client's session (locate through the dispatcher, follow `relocate`
 * and `WRONG_SERVER`, reconnect after a crash, resume every group in one
 * request, each message once by `seq`, sends retried with the same
 * `clientId`), with the raw counts a test reports: delivered / lost /
 * duplicated, refusals, reconnects, presence.
 */
import crypto from 'node:crypto';
import { ChatSession, codeOf, isCutOff } from '@chat/protocol-client';
import type { ChatSocket, Placement } from '@chat/protocol-client';
import type { ChatMessagePayload, PresenceBatch, SendMessageResult } from '@chat/contract';

export type ClientSocket = ChatSocket;

/** A handshake the server refused: where, when, and what it said. */
export interface Refusal {
  at: number;
  url: string;
  code?: string;
  /** The server it named, for WRONG_SERVER. */
  redirect?: string;
}

export interface ClientOptions {
  /** Longest pause between connection attempts, before jitter (which may double it). */
  maxRetryDelayMs?: number;
}

export interface Locator {
  locate: (token: string) => Promise<Placement>;
}

export class ResilientClient {
  /** Error codes of every refused send attempt, e.g. UNAVAILABLE while the data service is away. */
  readonly sendErrors = new Map<string, number>();

  reconnects = 0;

  /** When the socket last finished connecting (epoch ms). */
  connectedAt = 0;

  /** Why the last connection attempt failed (for a test's failure message). */
  lastConnectError = '';

  /** Every connect_error a server answered with a code, oldest first. */
  readonly refusals: Refusal[] = [];

  presenceEvents = 0;

  /** The newest presence batches received (at most 1,000). */
  readonly presence: PresenceBatch[] = [];

  private readonly session: ChatSession;

  constructor(locator: Locator, readonly up: string, token: string, options: ClientOptions = {}) {
    const maxRetry = options.maxRetryDelayMs ?? 1000;
    this.session = new ChatSession({
      up,
      token: () => token,
      locate: () => locator.locate(token),
      fullHistory: true,
      ackTimeoutMs: 5000,
      connection: {
        connectTimeoutMs: 5000,
        minRetryMs: 200,
        maxRetryMs: 2 * maxRetry,
        // Tests measure the servers: a relocated client moves at once (a browser spreads its moves out).
        relocateSpreadMs: 0,
      },
      bind: (socket) => socket.on('presence', (batch) => {
        this.presenceEvents += 1;
        this.presence.push(batch);
        if (this.presence.length > 1000) this.presence.shift();
      }),
      status: ({ state, detail }) => {
        if (state === 'catching-up') this.connectedAt = Date.now();
        if (detail) this.lastConnectError = detail;
      },
      refused: ({
        url, code, redirect, message,
      }) => {
        this.lastConnectError = message;
        if (code) {
          this.refusals.push({
            at: Date.now(), url, code, ...(redirect ? { redirect } : {}),
          });
        }
      },
      dropped: () => { this.reconnects += 1; },
      sendFailed: (err) => {
        // Refusals only: an attempt cut off or unanswered has no code of the server's.
        const code = codeOf(err);
        if (code && !isCutOff(err)) this.sendErrors.set(code, (this.sendErrors.get(code) ?? 0) + 1);
      },
    });
  }

  /** The socket while connected. */
  get socket(): ClientSocket | undefined { return this.session.socket ?? undefined; }

  /** True while the socket is connected (it may still be catching up). */
  get connected(): boolean { return Boolean(this.session.socket?.connected); }

  /** The server the dispatcher last placed this client on. */
  get serverId(): string { return this.session.placement?.serverId ?? ''; }

  /** The chat server this client is connected to (or last tried). */
  get currentUrl(): string { return this.session.status.url ?? ''; }

  /** Messages per room in seq order, each once. */
  get messages(): ReadonlyMap<string, readonly ChatMessagePayload[]> {
    return new Map([...this.session.timelines].map(([room, t]) => [room, t.messages]));
  }

  /** Deliveries of a seq already held (live and catch-up overlapping, or a server resending). */
  get duplicates(): number { return this.sum('redelivered'); }

  /** Messages held twice: a new seq carrying a clientId already held under another seq (stored twice). */
  get duplicateMessages(): number { return this.sum('storedTwice'); }

  private sum(counter: 'redelivered' | 'storedTwice'): number {
    let n = 0;
    this.session.timelines.forEach((t) => { n += t.counters[counter]; });
    return n;
  }

  /** Catches up every joined room now, as a client does after any doubt (e.g. a long quiet spell). */
  resync(): Promise<void> { return this.session.resync(); }

  /** The last seq held with nothing missing before it (back to the first held): what a catch-up asks for. */
  lastSeq(room: string): number { return this.session.timelines.get(room)?.contiguousLastSeq() ?? 0; }

  /** Connects (or waits for the reconnect under way) through the dispatcher; resolves once connected and caught up. */
  connect(): Promise<void> { return this.session.connect(); }

  /** Joins a room, catching up from the last seq held; pages until nothing is missing. */
  join(room: string): Promise<void> { return this.session.join(room); }

  /** Sends until acknowledged, retrying with the same clientId; rejects after `deadlineMs`. */
  async send(
    room: string,
    message: string,
    deadlineMs = 20000,
    clientId: string = crypto.randomUUID(),
  ): Promise<SendMessageResult> {
    try {
      const { id, seq, timestamp } = await this.session.send({ room, message, clientId }, {
        deadlineMs, delayMs: () => 200, retryCodes: ['UNAVAILABLE', 'RATE_LIMITED'],
      });
      return { id, seq, timestamp };
    } catch (err) {
      const code = codeOf(err);
      throw new Error(`send failed: ${code ? `${code}: ` : ''}${(err as Error).message}`);
    }
  }

  close(): void { this.session.close(); }
}

/**
 * What a scenario reports: sent, acked, delivered, lost, duplicated. `duplicated`
 * counts messages a member holds twice (one clientId under two seqs: stored
 * twice); `redelivered` counts deliveries of a seq already held, which the
 * client drops (a retried send, or live and catch-up overlapping).
 */
export interface DeliveryReport {
  sent: number;
  acked: number;
  delivered: number;
  lost: number;
  duplicated: number;
  redelivered: number;
}

/**
 * Checks every acknowledged message against every member's view: present once,
 * in seq order with no gap. `acked` maps room → seqs acknowledged there.
 */
export function deliveryReport(
  sent: number,
  acked: Map<string, number[]>,
  members: Map<string, ResilientClient[]>,
): DeliveryReport {
  let delivered = 0;
  let lost = 0;
  let duplicated = 0;
  let redelivered = 0;
  let ackedCount = 0;
  acked.forEach((seqs, room) => {
    ackedCount += seqs.length;
    (members.get(room) ?? []).forEach((client) => {
      const held = new Set((client.messages.get(room) ?? []).map((m) => m.seq));
      seqs.forEach((seq) => { if (held.has(seq)) delivered += 1; else lost += 1; });
    });
  });
  const everyone = new Set<ResilientClient>();
  members.forEach((clients) => clients.forEach((c) => everyone.add(c)));
  everyone.forEach((c) => {
    duplicated += c.duplicateMessages;
    redelivered += c.duplicates;
  });
  return {
    sent, acked: ackedCount, delivered, lost, duplicated, redelivered,
  };
}
