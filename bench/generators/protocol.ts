/** The commands each forked generator answers (runner ↔ generator IPC). */
import type { HistogramData } from '../lib/stats';
import type { Wire } from '../lib/lite-client';

export interface ClientSpec {
  /** The server this client connects to (http://127.0.0.1:port). */
  url: string;
  up: string;
  token?: string;
  rooms: string[];
}

export interface ConnectResult {
  connected: number;
  /** Sockets that never connected, after their retries. */
  failed: number;
  /** Failed attempts that a retry then fixed (a real client retries too). */
  retried: number;
  firstError?: string;
  /** From the first attempt to the last connection (and join) done. */
  connectMs: number;
  joinMs: number;
  joinFailed: number;
  connectLatency: HistogramData;
  cpuSeconds: number;
}

export interface SendPlan {
  /** Messages per second this generator offers (open loop: not waiting for acks). */
  rate: number;
  durationMs: number;
  /** Which of this generator's connected clients send (indexes in connection order), round-robin; default all. */
  senders?: number[];
  /** Message length in characters (the send time stamp is inside). */
  textLength?: number;
}

export interface SendResult {
  sent: number;
  /** Worst delay between a message's planned and actual send time. */
  maxLagMs: number;
}

export interface LoadStats {
  received: number;
  delivery: HistogramData;
  acked: number;
  ack: HistogramData;
  ackErrors: Record<string, number>;
  disconnects: number;
  connected: number;
  /** The generator's own CPU (process.cpuUsage) since the last reset. */
  cpuSeconds: number;
  wallSeconds: number;
}

export type SocketLoadCommands = {
  connect: { args: { clients: ClientSpec[]; wire: Wire; concurrency: number; join: boolean }; result: ConnectResult };
  send: { args: SendPlan; result: SendResult };
  stats: { args: { reset: boolean }; result: LoadStats };
  close: { args: Record<string, never>; result: { closed: number } };
};

export interface HttpTarget {
  url: string;
  headers?: Record<string, string>;
}

export interface HttpLoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  latency: HistogramData;
  wallSeconds: number;
  cpuSeconds: number;
}

export type HttpLoadCommands = {
  /** `concurrency` keep-alive loops over `targets` for `durationMs`. */
  run: { args: { targets: HttpTarget[]; concurrency: number; durationMs: number }; result: HttpLoadResult };
};

/** A direct database query, the floor under a history request. */
export interface MongoQuery {
  /** Full URL with the database name. */
  url: string;
  collection: string;
  /** Extended JSON, so ObjectIds cross the IPC channel. */
  filter: string;
  sort: Record<string, 1 | -1>;
  skip?: number;
  limit: number;
}

export interface ProbeStep {
  label: string;
  kind: 'http' | 'join' | 'mongo';
  /** http: the URL; join: the chat server URL; mongo: unused. */
  url: string;
  headers?: Record<string, string>;
  /** join: the user's token, the room, the user and `since`. */
  token?: string;
  room?: string;
  up?: string;
  since?: number;
  mongo?: MongoQuery;
  repeat: number;
  /** Stop repeating after this long (a slow database must not stall the run). */
  maxMs?: number;
  /** Items the answer must hold, or the probe fails (guards against timing error answers). */
  expectItems?: number;
}

export interface ProbeResult {
  label: string;
  /** Successful requests only. */
  latency: HistogramData;
  items: number;
  /** Requests that failed or answered the wrong number of items. */
  errors: number;
  firstError?: string;
  cpuSeconds: number;
}

export type ProbeCommands = {
  /** Runs each step `repeat` times, one request at a time. */
  probe: { args: { steps: ProbeStep[] }; result: ProbeResult[] };
};

export interface ReconnectClientSpec {
  up: string;
  token: string;
  rooms: string[];
}

export interface ReconnectState {
  clients: number;
  /** Connected (after a mark: on a socket opened since the mark). */
  connected: number;
  /** Clients holding every room up to the expected seq. */
  caughtUp: number;
  presenceEvents: number;
  maxPresenceEvents: number;
  reconnects: number;
  duplicates: number;
  cpuSeconds: number;
}

export interface ReconnectTarget {
  /** Clients ask this dispatcher where to connect… */
  dispatcherUrl?: string;
  /** …or always connect here (the baseline). */
  fixedUrl?: string;
}

export type ReconnectCommands = {
  /**
   * Connects resilient clients and the senders (kept out of the counts; a
   * sender holds few rooms, under the per-socket message rate limit) and joins their rooms.
   */
  connect: {
    args: {
      target: ReconnectTarget; clients: ReconnectClientSpec[]; senders: ReconnectClientSpec[]; concurrency: number;
    };
    result: ReconnectState;
  };
  /** Resets presence/reconnect counts and the CPU baseline: the restart begins. */
  mark: { args: Record<string, never>; result: ReconnectState };
  /** Each sender sends `perRoom` messages to each of its rooms; answers the last acked seq per room. */
  sendMissed: { args: { perRoom: number }; result: { expected: Record<string, number>; failed: number } };
  /** Where the clients stand against the expected last seq per room. */
  state: { args: { expected: Record<string, number> }; result: ReconnectState };
  close: { args: Record<string, never>; result: ReconnectState };
};
