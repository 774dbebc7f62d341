/**
 * A chat client as a real app would write it, for tests and benchmarks: it
 * asks the dispatcher where to connect, follows `relocate` and `WRONG_SERVER`,
 * reconnects after a crash, catches up every room with `join room {since}`,
 * de-duplicates by `seq`, and retries sends with the same `clientId`. It keeps
 * raw counts so a test can report delivered / lost / duplicated.
 */
import crypto from 'node:crypto';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type {
  Ack, ChatMessagePayload, ClientToServerEvents, JoinRoomResult, PresenceBatch, SendMessageResult,
  ServerToClientEvents,
} from '@chat/shared';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

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
  locate: (token: string) => Promise<{ url: string; serverId: string; mapVersion?: number }>;
}

const sleep = (ms: number) => new Promise((r) => { setTimeout(r, ms); });

export class ResilientClient {
  socket?: ClientSocket;

  serverId = '';

  /** The chat server this client is connected to (or last tried). */
  currentUrl = '';

  /** Messages per room in seq order, each once. */
  readonly messages = new Map<string, ChatMessagePayload[]>();

  /** Deliveries of a seq already held (live and catch-up overlapping, or a server resending). */
  duplicates = 0;

  /** Messages held twice: a new seq carrying a clientId already held under another seq (stored twice). */
  duplicateMessages = 0;

  /** Error codes of every refused send attempt, e.g. UNAVAILABLE while the data service is away. */
  readonly sendErrors = new Map<string, number>();

  reconnects = 0;

  /** When the socket last finished connecting (epoch ms). */
  connectedAt = 0;

  /** Why the last connection attempt failed (for a test's failure message). */
  lastConnectError = '';

  /** Every connect_error a server answered, oldest first. */
  readonly refusals: Refusal[] = [];

  presenceEvents = 0;

  /** The newest presence batches received (at most 1,000). */
  readonly presence: PresenceBatch[] = [];

  private readonly rooms = new Set<string>();

  /** Per room: clientId → seq of every message held. */
  private readonly clientIds = new Map<string, Map<string, number>>();

  private closed = false;

  private connecting?: Promise<void>;

  constructor(
    private readonly locator: Locator,
    readonly up: string,
    private readonly token: string,
    private readonly options: ClientOptions = {},
  ) {}

  /** True while the socket is connected (it may still be catching up). */
  get connected(): boolean {
    return Boolean(this.socket?.connected);
  }

  /** Catches up every joined room now, as a client does after any doubt (e.g. a long quiet spell). */
  async resync(): Promise<void> {
    await this.catchUp();
  }

  /**
   * The last seq held with nothing missing before it (back to the first held):
   * what a catch-up asks for. A live message that arrives ahead of a hole does
   * not move it, so the hole is fetched, not skipped.
   */
  lastSeq(room: string): number {
    const list = this.messages.get(room) ?? [];
    let last = list.length > 0 ? (list[0] as ChatMessagePayload).seq : 0;
    for (let i = 1; i < list.length && (list[i] as ChatMessagePayload).seq === last + 1; i += 1) last += 1;
    return last;
  }

  /** Connects (or reconnects) through the dispatcher; resolves once connected and caught up. */
  connect(): Promise<void> {
    if (!this.connecting) {
      this.connecting = this.connectLoop().finally(() => { this.connecting = undefined; });
    }
    return this.connecting;
  }

  private async connectLoop(): Promise<void> {
    let delay = 100;
    let url: string | undefined;
    let mapVersion: number | undefined;
    while (!this.closed) {
      try {
        if (!url) {
          const place = await this.locator.locate(this.token);
          url = place.url;
          mapVersion = place.mapVersion;
          this.serverId = place.serverId;
        }
        await this.open(url, mapVersion);
        this.connectedAt = Date.now();
        await this.catchUp();
        return;
      } catch (err) {
        this.lastConnectError = (err as Error).message;
        const redirect = (err as { data?: { code?: string; url?: string } }).data;
        if (redirect?.code && url) {
          this.refusals.push({
            at: Date.now(), url, code: redirect.code, redirect: redirect.url,
          });
        }
        url = redirect?.code === 'WRONG_SERVER' && redirect.url ? redirect.url : undefined;
        mapVersion = undefined;
        await sleep(delay + Math.random() * delay);
        delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 1000);
      }
    }
  }

  private open(url: string, mapVersion?: number): Promise<void> {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    // Behind the proxy a server's URL carries a path prefix (/s/<id>): Socket.IO would read it
    // as a namespace, so it goes into the engine path instead.
    this.currentUrl = url;
    const target = new URL(url);
    const socket: ClientSocket = io(target.origin, {
      path: `${target.pathname.replace(/\/$/, '')}/socket.io`,
      // The placement's map version: the server refreshes its map when ours is newer.
      auth: mapVersion === undefined ? { token: this.token } : { token: this.token, mapVersion },
      transports: ['websocket'],
      reconnection: false,
      timeout: 5000,
      forceNew: true,
    });
    this.socket = socket;
    socket.on('chat message', (m) => this.accept([m]));
    socket.on('presence', (batch) => {
      this.presenceEvents += 1;
      this.presence.push(batch);
      if (this.presence.length > 1000) this.presence.shift();
    });
    socket.on('relocate', () => { void this.reconnect(); });
    socket.on('disconnect', (reason) => {
      if (!this.closed && reason !== 'io client disconnect') void this.reconnect();
    });
    // Socket.IO's own timeout covers the transport only: a server that accepts the transport and then
    // dies or stalls before admitting the socket would leave this waiting forever without the others.
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.disconnect();
        reject(err);
      };
      timer = setTimeout(() => fail(new Error('no answer to the handshake')), 10000);
      socket.once('connect', () => { settled = true; clearTimeout(timer); resolve(); });
      socket.once('connect_error', fail);
      socket.once('disconnect', (reason) => { if (!socket.connected) fail(new Error(`closed during the handshake: ${reason}`)); });
    });
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    this.reconnects += 1;
    await this.connect();
  }

  private accept(list: ChatMessagePayload[]): void {
    list.forEach((m) => {
      const held = this.messages.get(m.room) ?? [];
      this.messages.set(m.room, held);
      const ids = this.clientIds.get(m.room) ?? new Map<string, number>();
      this.clientIds.set(m.room, ids);
      const last = held.length > 0 ? (held[held.length - 1] as ChatMessagePayload).seq : 0;
      const known = ids.get(m.clientId);
      if (known !== undefined && known !== m.seq) this.duplicateMessages += 1;
      if (known === undefined) ids.set(m.clientId, m.seq);
      if (m.seq <= last) {
        if (held.some((h) => h.seq === m.seq)) this.duplicates += 1;
        else held.splice(held.findIndex((h) => h.seq > m.seq), 0, m);
        return;
      }
      held.push(m);
      // A gap (a live message ahead of what we hold) is filled by a catch-up.
      if (m.seq > last + 1 && this.rooms.has(m.room)) void this.join(m.room).catch(() => {});
    });
  }

  private emitWithAck<T extends object>(
    send: (socket: ClientSocket, done: (r: Ack<T>) => void) => void,
    timeoutMs = 5000,
  ): Promise<Ack<T>> {
    const { socket } = this;
    if (!socket?.connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      // A socket that drops will never answer: give up at once rather than at the timeout.
      const dropped = () => { clearTimeout(timer); reject(new Error('disconnected before the ack')); };
      timer = setTimeout(() => { socket.off('disconnect', dropped); reject(new Error('ack timeout')); }, timeoutMs);
      socket.once('disconnect', dropped);
      send(socket, (r) => { clearTimeout(timer); socket.off('disconnect', dropped); resolve(r); });
    });
  }

  /** Joins a room, catching up from the last seq held; pages until nothing is missing. */
  async join(room: string): Promise<void> {
    this.rooms.add(room);
    for (let page = 0; page < 50; page += 1) {
      const since = this.lastSeq(room);
      const res = await this.emitWithAck<JoinRoomResult>((s, done) => s.emit('join room', { up: this.up, room, since }, done));
      if (!res.ok) throw Object.assign(new Error(res.error.message), { code: res.error.code });
      this.accept(res.messages);
      if (!res.hasMore || res.messages.length === 0 || this.lastSeq(room) >= res.lastSeq) return;
    }
  }

  private async catchUp(): Promise<void> {
    for (const room of this.rooms) await this.join(room);
  }

  /** Sends until acknowledged, retrying with the same clientId; rejects after `deadlineMs`. */
  async send(
    room: string,
    message: string,
    deadlineMs = 20000,
    clientId: string = crypto.randomUUID(),
  ): Promise<SendMessageResult> {
    const deadline = Date.now() + deadlineMs;
    let lastError = 'not sent';
    while (Date.now() < deadline && !this.closed) {
      try {
        if (!this.socket?.connected) await this.connect();
        const res = await this.emitWithAck<SendMessageResult>((s, done) => s.emit('chat message', {
          message, up: this.up, room, clientId, timestamp: new Date().toISOString(),
        }, done));
        if (res.ok) return { id: res.id, seq: res.seq, timestamp: res.timestamp };
        lastError = `${res.error.code}: ${res.error.message}`;
        this.sendErrors.set(res.error.code, (this.sendErrors.get(res.error.code) ?? 0) + 1);
        if (res.error.code !== 'UNAVAILABLE' && res.error.code !== 'RATE_LIMITED') break;
      } catch (err) {
        lastError = (err as Error).message;
      }
      await sleep(200);
    }
    throw new Error(`send failed: ${lastError}`);
  }

  close(): void {
    this.closed = true;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
  }
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
