/**
 * A headless chat client: the connection, one timeline per group, and the
 * protocol that keeps them right. On every (re)connect the groups held resume
 * in one `resume` request; groups it cannot answer catch up by `join room`.
 * Live messages and changes go into their group's timeline, each once, in
 * `seq` order; a gap behind a live message is filled from the server. Sends
 * carry a clientId and are retried with it until acknowledged.
 */
import type { SendMessageResult, Up } from '@chat/contract';
import { Connection } from './connection';
import type { ConnectionOptions, ConnectionStatus, Refusal } from './connection';
import { fillFrom, loadLatest } from './catch-up';
import { isNoAnswer, ProtocolError } from './errors';
import type { Locate, Placement } from './locator';
import { joinRoom, resumeGroups, sendChatMessage } from './requests';
import type { ChatSocket, Outgoing } from './requests';
import { canResume, resumeAll } from './resume';
import { SEND_RETRY, withRetries } from './send';
import type { RetryPolicy } from './send';
import { GroupTimeline } from './timeline';

export interface SessionOptions {
  up: Up;
  /** The current access token. */
  token: () => string;
  locate: Locate;
  /** A new access token; false when the session is over (default: try the same token once more). */
  renew?: () => Promise<boolean>;
  connection?: Omit<ConnectionOptions, 'token'>;
  /** How long a request waits for its ack. */
  ackTimeoutMs?: number;
  /** A group joined catches up from its first message (true) or loads its newest page (false). */
  fullHistory?: boolean;
  /** More handlers for each new socket (presence, typing, …). */
  bind?: (socket: ChatSocket) => void;
  status?: (status: ConnectionStatus) => void;
  refused?: (refusal: Refusal) => void;
  dropped?: (reason: string) => void;
  /** Every failed send attempt (retried or not). */
  sendFailed?: (err: unknown) => void;
}

interface Waiter { resolve: () => void; reject: (err: Error) => void }

export class ChatSession {
  /** One timeline per group a message arrived for or that was joined. */
  readonly timelines = new Map<string, GroupTimeline>();

  /** Where the locator last placed this user. */
  placement: Placement | null = null;

  private readonly joined = new Set<string>();

  private readonly connection: Connection;

  private readonly filling = new Map<string, Promise<void>>();

  private waiters: Waiter[] = [];

  private closed = false;

  /** The server did not answer `resume` (one from before it existed): catch up by `join room` only. */
  private resumeUnsupported = false;

  constructor(private readonly options: SessionOptions) {
    this.connection = new Connection({
      locate: async () => {
        this.placement = await options.locate();
        return this.placement;
      },
      bind: (socket) => this.bind(socket),
      connected: (socket) => this.caughtUp(socket),
      status: (status) => this.statusChanged(status),
      unauthorized: (message) => this.settle(new ProtocolError('UNAUTHORIZED', message)),
      renew: options.renew ?? (async () => true),
      refused: options.refused,
      dropped: options.dropped,
    }, { ...options.connection, token: options.token });
  }

  get status(): ConnectionStatus { return this.connection.status; }

  /** The socket while connected. */
  get socket(): ChatSocket | null { return this.connection.liveSocket; }

  get online(): boolean { return this.status.state === 'online' && this.socket !== null; }

  timeline(room: string): GroupTimeline {
    let held = this.timelines.get(room);
    if (!held) {
      held = new GroupTimeline(room);
      this.timelines.set(room, held);
    }
    return held;
  }

  /** Connects (or waits for the reconnect under way); resolves once connected and caught up. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('closed'));
    if (this.online) return Promise.resolve();
    const waiting = new Promise<void>((resolve, reject) => { this.waiters.push({ resolve, reject }); });
    this.connection.start();
    return waiting;
  }

  /** Joins a group and brings it up to date (again, if joined before). */
  async join(room: string): Promise<void> {
    this.joined.add(room);
    await this.fill(room);
  }

  /** Brings every joined group up to date by `join room` now (after any doubt, e.g. a long quiet spell). */
  async resync(): Promise<void> {
    for (const room of this.joined) await this.fill(room);
  }

  /** Sends until acknowledged, every attempt with the same clientId; rejects with the last error. */
  send(
    message: Omit<Outgoing, 'up'>,
    policy: RetryPolicy = SEND_RETRY,
  ): Promise<SendMessageResult> {
    return withRetries(async () => {
      if (!this.online) await this.connect();
      const { socket } = this;
      if (!socket) throw new ProtocolError('UNAVAILABLE', 'not connected', 'disconnected');
      return sendChatMessage(socket, { ...message, up: this.options.up }, this.options.ackTimeoutMs);
    }, policy, { failed: this.options.sendFailed, alive: () => !this.closed });
  }

  close(): void {
    this.closed = true;
    this.connection.stop();
    this.settle(new Error('closed'));
  }

  private settle(err?: Error): void {
    const waiting = this.waiters;
    this.waiters = [];
    waiting.forEach((w) => (err ? w.reject(err) : w.resolve()));
  }

  private statusChanged(status: ConnectionStatus): void {
    // What each group held when the connection dropped: where the resume after the reconnect starts.
    if (status.state !== 'online' && status.state !== 'catching-up') this.timelines.forEach((t) => t.pause());
    this.options.status?.(status);
    if (status.state === 'online') this.settle();
  }

  private bind(socket: ChatSocket): void {
    socket.on('chat message', (message) => {
      const timeline = this.timeline(message.room);
      timeline.merge([message]);
      if (this.joined.has(message.room) && timeline.hasGap()) void this.fill(message.room).catch(() => undefined);
    });
    socket.on('message updated', (message) => {
      const timeline = this.timelines.get(message.room);
      if (!timeline?.loaded) return;
      timeline.applyChanges([message]);
      if (this.joined.has(message.room) && timeline.hasGap()) void this.fill(message.room).catch(() => undefined);
    });
    this.options.bind?.(socket);
  }

  /** One catch-up by `join room` per group at a time; a second caller waits for the one running. */
  private fill(room: string): Promise<void> {
    const running = this.filling.get(room);
    if (running) return running;
    const run = (async () => {
      const { socket } = this;
      if (!socket) throw new ProtocolError('UNAVAILABLE', 'not connected', 'disconnected');
      const { up, ackTimeoutMs, fullHistory } = this.options;
      const join = (r: string, since?: number) => joinRoom(socket, up, r, since, ackTimeoutMs);
      const timeline = this.timeline(room);
      // A full history is replayed however long; a reader's view takes the newest page instead.
      if (fullHistory) await fillFrom(join, timeline, { maxReplay: Infinity, maxRounds: 50 });
      else if (timeline.loaded) await fillFrom(join, timeline);
      else await loadLatest(join, timeline);
    })().finally(() => this.filling.delete(room));
    this.filling.set(room, run);
    return run;
  }

  /** Connected: every joined group resumes in one request; the rest catch up by `join room`. */
  private async caughtUp(socket: ChatSocket): Promise<void> {
    const held = [...this.joined].map((room) => this.timeline(room));
    const resumable = this.resumeUnsupported ? [] : held.filter(canResume);
    const rest = held.filter((t) => !resumable.includes(t)).map((t) => t.room);
    if (resumable.length > 0) {
      try {
        const outcome = await resumeAll(
          (groups) => resumeGroups(socket, groups, this.options.ackTimeoutMs),
          resumable,
        );
        rest.push(...outcome.behind);
      } catch (err) {
        if (isNoAnswer(err) && socket.connected) this.resumeUnsupported = true;
        rest.push(...resumable.map((t) => t.room));
      }
    }
    for (const room of new Set(rest)) {
      try {
        await this.fill(room);
        this.timeline(room).resumed(0);
      } catch {
        // Refused (left the group), or cut off again: the next connection or live message tries again.
      }
    }
  }
}
