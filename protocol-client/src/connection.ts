/**
 * The socket's life: ask where to connect (the locator), connect there, follow
 * `WRONG_SERVER` refusals and `relocate` events, reconnect after a lost
 * connection with back-off and jitter (asking the locator again each time,
 * since the server may be gone), and let the owner catch up before the state
 * says online. Socket.IO's own reconnection is off: it would retry the same
 * dead URL. An access token that expires (`session ended` TOKEN_EXPIRED, or a
 * handshake refused as UNAUTHORIZED) is renewed through the `renew` hook and
 * the socket reconnects; a session signed out (SIGNED_OUT) ends it.
 */
import { io } from 'socket.io-client';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import { codeOf } from './errors';
import type { Placement } from './locator';
import type { ChatSocket } from './requests';

export type ConnectionState = 'connecting' | 'catching-up' | 'online' | 'reconnecting' | 'offline';

export interface ConnectionStatus {
  state: ConnectionState;
  url: string | null;
  serverId: string | null;
  /** Why it is not (yet) online, in plain words. */
  detail: string | null;
  /** Failed attempts since the last successful connection. */
  failures: number;
}

/** A handshake a server refused: where, and what it said. */
export interface Refusal {
  url: string;
  code?: string;
  /** The server it named, for WRONG_SERVER. */
  redirect?: string;
  message: string;
}

export interface ConnectionHooks {
  locate(): Promise<Placement>;
  /** Attach the owner's event handlers to a new socket, before it connects. */
  bind(socket: ChatSocket): void;
  /** Connected: catch up. The state stays 'catching-up' until this settles. */
  connected(socket: ChatSocket): Promise<void>;
  status(status: ConnectionStatus): void;
  /** The token was refused for good: the person has to sign in again. */
  unauthorized(message: string): void;
  /** A new access token (from a refresh token); false when the session is over. */
  renew(): Promise<boolean>;
  /** A handshake was refused (for counters and diagnostics). */
  refused?(refusal: Refusal): void;
  /** A live connection was lost or moved: a reconnect follows. */
  dropped?(reason: string): void;
}

export interface ConnectionOptions {
  /** The current access token (it changes when renewed). */
  token: () => string;
  connectTimeoutMs?: number;
  minRetryMs?: number;
  maxRetryMs?: number;
  /** Spread of the reconnects after `relocate`, so a moved suffix does not arrive all at once. */
  relocateSpreadMs?: number;
  /** Plain words for an error of the locator or renewal. */
  describeError?: (err: unknown) => string;
  createSocket?: (url: string, options: Partial<ManagerOptions & SocketOptions>) => ChatSocket;
}

interface RefusalData { code?: unknown; url?: unknown }

const refusalOf = (err: unknown): RefusalData => {
  const data = typeof err === 'object' && err !== null ? (err as { data?: unknown }).data : undefined;
  return typeof data === 'object' && data !== null ? data as RefusalData : {};
};

/** Behind the proxy a server's URL carries a path prefix (/s/<id>); Socket.IO would read it as a namespace. */
export function openSocket(url: string, options: Partial<ManagerOptions & SocketOptions>): ChatSocket {
  const target = new URL(url);
  return io(target.origin, { ...options, path: `${target.pathname.replace(/\/$/, '')}/socket.io` });
}

/** The wait before attempt `failures` (1, 2, …): doubling from `minMs` up to `maxMs`, times a random 0.5–1. */
export function backoffDelay(
  failures: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const backoff = Math.min(maxMs, minMs * 2 ** Math.max(0, failures - 1));
  return backoff * (0.5 + random() / 2);
}

const plainMessage = (err: unknown): string => (err instanceof Error && err.message ? err.message : 'unknown error');

export class Connection {
  private socket: ChatSocket | null = null;

  /** Bumped by every attempt and by stop(): events of older sockets are ignored. */
  private generation = 0;

  private timer: ReturnType<typeof setTimeout> | null = null;

  private stopped = true;

  private everConnected = false;

  /** The access token was refused or expired: renew it before the next attempt. */
  private renewBeforeNext = false;

  /** A renewal was tried since the last successful connection. */
  private triedRenewal = false;

  /** A server refused us with WRONG_SERVER and named the right one. */
  private redirect: { from: string; to: string } | null = null;

  private current: ConnectionStatus = {
    state: 'offline', url: null, serverId: null, detail: null, failures: 0,
  };

  private readonly options: Required<ConnectionOptions>;

  constructor(private readonly hooks: ConnectionHooks, options: ConnectionOptions) {
    this.options = {
      connectTimeoutMs: 8000,
      minRetryMs: 300,
      maxRetryMs: 8000,
      relocateSpreadMs: 500,
      describeError: plainMessage,
      createSocket: openSocket,
      ...options,
    };
  }

  get status(): ConnectionStatus { return this.current; }

  /** The socket, when it is connected (it may still be catching up). */
  get liveSocket(): ChatSocket | null {
    return this.socket?.connected && !this.stopped ? this.socket : null;
  }

  get running(): boolean { return !this.stopped; }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0, null);
  }

  /** Skip the wait before the next attempt (a "retry now" button, the network coming back). */
  retryNow(): void {
    if (this.stopped || this.timer === null) return;
    this.schedule(0, this.current.detail);
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dropSocket();
    this.update({ state: 'offline', detail: null });
  }

  private update(change: Partial<ConnectionStatus>): void {
    this.current = { ...this.current, ...change };
    this.hooks.status(this.current);
  }

  private dropSocket(): void {
    const { socket } = this;
    this.socket = null;
    if (!socket) return;
    socket.removeAllListeners();
    socket.disconnect();
  }

  private schedule(delayMs: number, detail: string | null): void {
    if (this.timer) clearTimeout(this.timer);
    this.update({ state: this.everConnected ? 'reconnecting' : 'connecting', detail });
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt();
    }, delayMs);
  }

  private retry(detail: string, delayMs?: number): void {
    if (this.stopped) return;
    this.generation += 1;
    this.dropSocket();
    const failures = this.current.failures + 1;
    this.current = { ...this.current, failures };
    this.schedule(delayMs ?? backoffDelay(failures, this.options.minRetryMs, this.options.maxRetryMs), detail);
  }

  private async attempt(): Promise<void> {
    this.generation += 1;
    const { generation } = this;
    this.dropSocket();
    if (this.renewBeforeNext) {
      this.renewBeforeNext = false;
      let renewed: boolean;
      try {
        renewed = await this.hooks.renew();
      } catch (err) {
        if (generation !== this.generation || this.stopped) return;
        this.renewBeforeNext = true;
        this.retry(this.options.describeError(err));
        return;
      }
      if (generation !== this.generation || this.stopped) return;
      if (!renewed) {
        this.refuse('Your session has ended. Please sign in again.');
        return;
      }
    }
    let placement: Placement;
    try {
      placement = await this.hooks.locate();
    } catch (err) {
      if (generation !== this.generation || this.stopped) return;
      if (codeOf(err) === 'UNAUTHORIZED') {
        this.refuse(this.options.describeError(err));
        return;
      }
      this.retry(this.options.describeError(err));
      return;
    }
    if (generation !== this.generation || this.stopped) return;
    // The map may not have caught up with the move yet: trust the server that refused us.
    if (this.redirect && placement.url === this.redirect.from) placement = { url: this.redirect.to, serverId: '' };
    this.redirect = null;
    this.open(placement, generation);
  }

  private open(placement: Placement, generation: number): void {
    this.update({ url: placement.url, serverId: placement.serverId || null });
    const socket = this.options.createSocket(placement.url, {
      // The map version lets the server see that the dispatcher moved us since its last look.
      auth: placement.mapVersion === undefined
        ? { token: this.options.token() } : { token: this.options.token(), mapVersion: placement.mapVersion },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: this.options.connectTimeoutMs,
    });
    this.socket = socket;
    const mine = () => generation === this.generation && !this.stopped;
    this.hooks.bind(socket);
    // Socket.IO's timeout covers the transport only; a server that stalls before admitting the socket is left too.
    const stalled = setTimeout(() => {
      if (mine() && !socket.connected) this.retry(`No answer from ${placement.url}. Retrying…`);
    }, 2 * this.options.connectTimeoutMs);
    socket.on('connect', () => { clearTimeout(stalled); if (mine()) void this.caughtUp(socket, mine); });
    socket.on('connect_error', (err) => { if (mine()) this.refused(err, placement.url); });
    socket.on('disconnect', (reason) => {
      if (!mine() || reason === 'io client disconnect') return;
      this.hooks.dropped?.(reason);
      this.retry(`Connection lost (${reason}). Reconnecting…`, 150 + Math.random() * 350);
    });
    socket.on('session ended', ({ reason, message }) => {
      if (!mine()) return;
      if (reason === 'SIGNED_OUT') {
        this.refuse(message);
        return;
      }
      this.renewBeforeNext = true;
      this.retry('Renewing the session…', 0);
    });
    socket.on('relocate', () => {
      if (!mine()) return;
      this.hooks.dropped?.('relocate');
      this.retry('Moving to another chat server…', Math.random() * this.options.relocateSpreadMs);
    });
  }

  private async caughtUp(socket: ChatSocket, mine: () => boolean): Promise<void> {
    this.everConnected = true;
    this.triedRenewal = false;
    this.update({ state: 'catching-up', detail: null, failures: 0 });
    await this.hooks.connected(socket);
    if (mine() && socket.connected) this.update({ state: 'online', detail: null });
  }

  private refused(err: Error, url: string): void {
    const data = refusalOf(err);
    const code = typeof data.code === 'string' ? data.code : undefined;
    const redirect = typeof data.url === 'string' ? data.url : undefined;
    this.hooks.refused?.({
      url, message: err.message, ...(code ? { code } : {}), ...(redirect ? { redirect } : {}),
    });
    if (code === 'WRONG_SERVER' && redirect && redirect !== url) {
      this.redirect = { from: url, to: redirect };
      this.retry('Redirected to another chat server…', Math.random() * 200);
      return;
    }
    if (code === 'UNAUTHORIZED') {
      // Renew once (the token may just have expired); a second refusal ends the session.
      if (!this.triedRenewal) {
        this.triedRenewal = true;
        this.renewBeforeNext = true;
        this.retry('Renewing the session…', 0);
        return;
      }
      this.refuse(err.message);
      return;
    }
    this.retry(`Cannot connect to ${url}. Retrying…`);
  }

  private refuse(message: string): void {
    this.stop();
    this.hooks.unauthorized(message);
  }
}
