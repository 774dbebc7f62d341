/**
 * The headless session against a stand-in chat server in this process that
 * keeps groups in memory and answers `join room`, `resume` and `chat message`
 * as the contract says: after a reconnect every group resumes in one request,
 * each message once in its latest state; a send whose ack was lost is retried
 * with the same clientId and stored once.
 */
import assert from 'node:assert/strict';
import type { ChatMessagePayload } from '@chat/contract';
import { ChatSession } from '../src/session';
import { standIn, waitFor } from './support/stand-in';
import type { StandIn } from './support/stand-in';

/** Groups as a server keeps them: each change takes the group's next rev. */
class Groups {
  readonly messages = new Map<string, Map<number, ChatMessagePayload>>();

  private readonly revs = new Map<string, number>();

  private nextRev(room: string): number {
    const rev = (this.revs.get(room) ?? 0) + 1;
    this.revs.set(room, rev);
    return rev;
  }

  private group(room: string): Map<number, ChatMessagePayload> {
    const held = this.messages.get(room) ?? new Map<number, ChatMessagePayload>();
    this.messages.set(room, held);
    return held;
  }

  /** Stores a message once per clientId; answers the stored one. */
  add(room: string, text: string, clientId: string): { message: ChatMessagePayload; stored: boolean } {
    const group = this.group(room);
    const known = [...group.values()].find((m) => m.clientId === clientId);
    if (known) return { message: known, stored: false };
    const seq = group.size + 1;
    const message: ChatMessagePayload = {
      id: `${room}-${seq}`, seq, room, up: '1002', message: text, clientId, timestamp: new Date().toISOString(), rev: this.nextRev(room),
    };
    group.set(seq, message);
    return { message, stored: true };
  }

  edit(room: string, seq: number, text: string): ChatMessagePayload {
    const group = this.group(room);
    const held = group.get(seq) as ChatMessagePayload;
    const edited = { ...held, message: text, rev: this.nextRev(room) };
    group.set(seq, edited);
    return edited;
  }

  after(room: string, since: number): ChatMessagePayload[] {
    return [...this.group(room).values()].filter((m) => m.seq > since).sort((a, b) => a.seq - b.seq);
  }

  changesAfter(room: string, rev: number): ChatMessagePayload[] {
    return [...this.group(room).values()].filter((m) => (m.rev ?? 0) > rev).sort((a, b) => (a.rev ?? 0) - (b.rev ?? 0));
  }
}

const PAGE = 4;

describe('protocol client: session', function () {
  this.timeout(15000);
  let server: StandIn;
  let groups: Groups;
  let session: ChatSession | undefined;
  let requests: { event: string; payload: unknown }[];
  /** Store the next send but drop the connection instead of answering it. */
  let loseNextAck: boolean;

  beforeEach(async () => {
    server = await standIn('chat-a');
    groups = new Groups();
    requests = [];
    loseNextAck = false;
    server.io.on('connection', (socket) => {
      socket.on('join room', (payload: { room: string; since?: number }, done: (r: unknown) => void) => {
        requests.push({ event: 'join room', payload });
        void socket.join(payload.room);
        const all = groups.after(payload.room, payload.since ?? 0);
        const lastSeq = groups.after(payload.room, 0).length;
        done({
          ok: true, room: payload.room, messages: all.slice(0, PAGE), lastSeq, hasMore: all.length > PAGE,
        });
      });
      socket.on('resume', (payload: { groups: { room: string; rev: number }[] }, done: (r: unknown) => void) => {
        requests.push({ event: 'resume', payload });
        done({
          ok: true,
          groups: payload.groups.map(({ room, rev }) => {
            void socket.join(room);
            const all = groups.changesAfter(room, rev);
            const items = all.slice(0, PAGE);
            return {
              room, ok: true, items, rev: items[items.length - 1]?.rev ?? rev, hasMore: all.length > PAGE,
            };
          }),
        });
      });
      socket.on('chat message', (payload: { room: string; message: string; clientId: string }, done: (r: unknown) => void) => {
        requests.push({ event: 'chat message', payload });
        const { message, stored } = groups.add(payload.room, payload.message, payload.clientId);
        if (stored) server.io.to(payload.room).emit('chat message', message);
        if (loseNextAck) {
          loseNextAck = false;
          socket.disconnect(true);
          return;
        }
        done({
          ok: true, id: message.id, seq: message.seq, timestamp: message.timestamp,
        });
      });
    });
  });

  afterEach(async () => {
    session?.close();
    session = undefined;
    await server.close();
  });

  const open = () => {
    session = new ChatSession({
      up: '1001',
      token: () => 'good-token',
      locate: async () => ({ url: server.url, serverId: server.id }),
      fullHistory: true,
      ackTimeoutMs: 2000,
      connection: { minRetryMs: 20, maxRetryMs: 100, connectTimeoutMs: 2000 },
    });
    return session;
  };
  const seqsOf = (s: ChatSession, room: string) => s.timeline(room).messages.map((m) => m.seq);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('resumes every group in one request after a reconnect, each message once, in its latest state', async () => {
    for (let i = 1; i <= 6; i += 1) groups.add('ga', `a${i}`, `ca${i}`);
    for (let i = 1; i <= 2; i += 1) groups.add('gb', `b${i}`, `cb${i}`);
    const s = open();
    await s.connect();
    await s.join('ga');
    await s.join('gb');
    assert.deepEqual(seqsOf(s, 'ga'), range(6));
    assert.deepEqual(seqsOf(s, 'gb'), range(2));

    // Away: new messages in both groups and an edit of one held.
    server.io.disconnectSockets(true);
    await waitFor(() => s.status.state !== 'online', 'the drop noticed');
    for (let i = 7; i <= 12; i += 1) groups.add('ga', `a${i}`, `ca${i}`);
    groups.edit('ga', 2, 'a2 edited');
    groups.add('gb', 'b3', 'cb3');
    requests = [];
    await s.connect();

    const resumes = requests.filter((r) => r.event === 'resume').map((r) => (r.payload as { groups: { room: string }[] }).groups.map((g) => g.room));
    assert.deepEqual(resumes[0], ['ga', 'gb'], 'both groups in the first request');
    assert.ok(resumes.slice(1).every((rooms) => rooms.length === 1 && rooms[0] === 'ga'), 'only the capped group asked again');
    assert.equal(requests.filter((r) => r.event === 'join room').length, 0, 'no join room per group');
    assert.deepEqual(seqsOf(s, 'ga'), range(12));
    assert.deepEqual(seqsOf(s, 'gb'), range(3));
    assert.equal(s.timeline('ga').find('ga-2')?.message, 'a2 edited');
    assert.equal(s.timeline('ga').counters.storedTwice, 0);
  });

  it('retries a send whose ack was lost with the same clientId: stored once, held once', async () => {
    const s = open();
    await s.connect();
    await s.join('ga');
    loseNextAck = true;
    const result = await s.send({ room: 'ga', message: 'hello', clientId: 'c-1' });
    const sends = requests.filter((r) => r.event === 'chat message').map((r) => (r.payload as { clientId: string }).clientId);
    assert.deepEqual(sends, ['c-1', 'c-1'], 'the retry carries the same clientId');
    assert.equal(groups.after('ga', 0).length, 1, 'stored once');
    assert.equal(result.seq, 1);
    await waitFor(() => seqsOf(s, 'ga').length === 1, 'the message held');
    assert.deepEqual(seqsOf(s, 'ga'), [1]);
    assert.equal(s.timeline('ga').counters.storedTwice, 0);
  });
});
