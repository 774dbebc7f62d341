/**
 * A minimal client over `ws` for load generation: speaks just enough Socket.IO
 * (Engine.IO v4 / Socket.IO v5 over WebSocket: open, connect with auth,
 * ping/pong, events, acks) or the bare-ws baseline's JSON. socket.io-client
 * costs several times more CPU per received message; with thousands of
 * sockets in one generator that cost, not the server, would set the numbers.
 */
import WebSocket from 'ws';

export type Wire = 'socketio' | 'ws';

/** What a generator needs from a delivered message. */
export interface Delivered {
  room: string;
  message: string;
}

export interface AckReply {
  ok: boolean;
  code?: string;
  body?: Record<string, unknown>;
}

type AckWaiter = (reply: AckReply) => void;

export interface LiteClientOptions {
  /** http://host:port of the server. */
  url: string;
  wire: Wire;
  token?: string;
  onMessage: (m: Delivered) => void;
  onClose?: () => void;
  timeoutMs?: number;
}

const toWebSocketUrl = (url: string, wire: Wire): string => {
  const base = url.replace(/^http/, 'ws').replace(/\/+$/, '');
  return wire === 'socketio' ? `${base}/socket.io/?EIO=4&transport=websocket` : `${base}/`;
};

const asRecord = (value: unknown): Record<string, unknown> => (
  typeof value === 'object' && value !== null ? value as Record<string, unknown> : {}
);

const replyFrom = (value: unknown): AckReply => {
  const body = asRecord(value);
  const error = asRecord(body.error);
  return { ok: body.ok === true, code: typeof error.code === 'string' ? error.code : undefined, body };
};

export class LiteClient {
  private ws?: WebSocket;

  private nextAck = 1;

  private readonly acks: Map<number, AckWaiter> = new Map();

  private connected = false;

  constructor(private readonly options: LiteClientOptions) {}

  get isConnected(): boolean { return this.connected; }

  connect(): Promise<void> {
    const { wire, token, timeoutMs = 15000 } = this.options;
    const ws = new WebSocket(toWebSocketUrl(this.options.url, wire), {
      perMessageDeflate: false, handshakeTimeout: timeoutMs,
    });
    this.ws = ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { ws.terminate(); reject(new Error('connect timeout')); }, timeoutMs);
      const fail = (err: Error) => { clearTimeout(timer); ws.terminate(); reject(err); };
      ws.on('error', (err) => { if (!this.connected) fail(err); });
      ws.on('close', () => {
        const was = this.connected;
        this.connected = false;
        this.acks.forEach((done) => done({ ok: false, code: 'DISCONNECTED' }));
        this.acks.clear();
        if (was) this.options.onClose?.();
        else fail(new Error('closed before connected'));
      });
      if (wire === 'ws') {
        ws.on('open', () => { clearTimeout(timer); this.connected = true; resolve(); });
        ws.on('message', (data) => this.onBareFrame(data.toString()));
        return;
      }
      ws.on('message', (data) => {
        const frame = data.toString();
        const kind = frame[0];
        if (kind === '2') { ws.send('3'); return; }
        if (kind === '0') { ws.send(`40${JSON.stringify(token ? { token } : {})}`); return; }
        if (kind !== '4') return;
        const packet = frame[1];
        if (packet === '0') { clearTimeout(timer); this.connected = true; resolve(); return; }
        if (packet === '4') {
          const body = asRecord(JSON.parse(frame.slice(2)));
          fail(Object.assign(new Error(String(body.message ?? 'connect_error')), { data: body.data }));
          return;
        }
        if (packet === '1') { ws.close(); return; }
        this.onSocketIoPacket(packet, frame.slice(2));
      });
    });
  }

  private onSocketIoPacket(packet: string | undefined, rest: string): void {
    if (packet === '2') {
      // An event: only `chat message` matters here; other events are not parsed.
      if (!rest.startsWith('["chat message"')) return;
      const [, payload] = JSON.parse(rest) as [string, unknown];
      const m = asRecord(payload);
      this.options.onMessage({ room: String(m.room), message: String(m.message) });
      return;
    }
    if (packet === '3') {
      const bracket = rest.indexOf('[');
      const id = Number(rest.slice(0, bracket));
      const done = this.acks.get(id);
      if (!done) return;
      this.acks.delete(id);
      const [reply] = JSON.parse(rest.slice(bracket)) as [unknown];
      done(replyFrom(reply));
    }
  }

  private onBareFrame(frame: string): void {
    const m = asRecord(JSON.parse(frame));
    if (m.t === 'msg') { this.options.onMessage({ room: String(m.room), message: String(m.message) }); return; }
    if (m.t === 'ack' && typeof m.id === 'number') {
      const done = this.acks.get(m.id);
      this.acks.delete(m.id);
      done?.({ ok: true, body: m });
    }
  }

  /** Emits `event` with an acknowledgement; resolves with the server's reply. */
  request(event: string, payload: Record<string, unknown>, timeoutMs = 15000): Promise<AckReply> {
    const { ws } = this;
    if (!ws || !this.connected) return Promise.resolve({ ok: false, code: 'DISCONNECTED' });
    const id = this.nextAck;
    this.nextAck += 1;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.acks.delete(id); resolve({ ok: false, code: 'ACK_TIMEOUT' }); }, timeoutMs);
      this.acks.set(id, (reply) => { clearTimeout(timer); resolve(reply); });
      if (this.options.wire === 'socketio') {
        ws.send(`42${id}${JSON.stringify([event, payload])}`);
      } else {
        ws.send(JSON.stringify({ ...payload, t: event === 'join room' ? 'join' : 'msg', id }));
      }
    });
  }

  close(): void {
    this.connected = false;
    this.ws?.terminate();
  }
}
