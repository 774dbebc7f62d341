/**
 * A chat server is killed (kill -9) in the middle of a burst of timeline
 * changes: new messages, edits and reactions, each with its idempotency key
 * (a message's or an edit's clientId; a reaction is idempotent by itself).
 * The client moves to the surviving server and retries every action, acked
 * or not. Nothing is lost and nothing applies twice: the group ends with
 * every message once, every edit and reaction applied once, and one
 * revision per action (a retry of an edit or reaction already applied claims none).
 */
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { ChangesPage, StoredMessage } from '@chat/shared';
import { startSystem } from '../support/system';
import type { TestSystem } from '../support/system';

const FIRST = 12;
const MORE = 8;
const EMOJI = '👍';

interface Acked { ok: boolean; id?: string; message?: { id: string }; error?: { code: string } }

const connect = (url: string, token: string): Promise<Socket> => {
  const socket = io(url, {
    auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => { socket.disconnect(); reject(err); });
  });
};

/** Emits with an ack; a socket that dies first leaves the answer undefined. */
const call = (socket: Socket, event: string, payload: object): Promise<Acked | undefined> => new Promise((resolve) => {
  const onDisconnect = () => resolve(undefined);
  socket.once('disconnect', onDisconnect);
  socket.emit(event, payload, (answer: Acked) => {
    socket.off('disconnect', onDisconnect);
    resolve(answer);
  });
});

describe('timeline changes survive a chat server killed mid-burst', function () {
  this.timeout(120000);
  let system: TestSystem | undefined;

  before(async () => {
    system = await startSystem({
      chatServers: 2,
      heartbeatTimeoutMs: 3000,
      heartbeatIntervalMs: 1000,
      label: 'timeline crash',
      // The burst is one user's: above the per-user message rate on purpose.
      env: { SOCKET_MESSAGE_POINTS: '1000' },
    });
  });
  after(async () => { await system?.close(); });

  it('loses no change and applies none twice', async () => {
    const sys = system as TestSystem;
    const ana = await sys.register('5160601');
    const bob = await sys.register('5160612');
    const room = await sys.createGroup(ana, 'burst', [bob.up]);
    const home = await sys.locate(ana.token);
    const first = await connect(home.url, ana.token);

    const send = (socket: Socket, i: number) => call(socket, 'chat message', {
      message: `message ${i}`, up: ana.up, room, clientId: `m${i}`,
    });
    const sent = await Promise.all(Array.from({ length: FIRST }, (_, i) => send(first, i + 1)));
    const ids = sent.map((ack) => {
      assert.ok(ack?.ok && ack.id, JSON.stringify(ack));
      return ack.id as string;
    });

    // The burst: an edit and a reaction on each message, and new messages, all in flight at once.
    const edit = (socket: Socket, i: number) => call(socket, 'edit message', {
      room, id: ids[i - 1], message: `message ${i}, edited`, clientId: `e${i}`,
    });
    const react = (socket: Socket, i: number) => call(socket, 'add reaction', { room, id: ids[i - 1], emoji: EMOJI });
    const burst = (socket: Socket) => [
      ...Array.from({ length: FIRST }, (_, i) => edit(socket, i + 1)),
      ...Array.from({ length: FIRST }, (_, i) => react(socket, i + 1)),
      ...Array.from({ length: MORE }, (_, i) => send(socket, FIRST + i + 1)),
    ];
    const dying = burst(first);
    let acked = 0;
    dying.forEach((p) => { void p.then((ack) => { if (ack?.ok) acked += 1; }); });
    while (acked < 3) await new Promise((r) => { setTimeout(r, 2); });
    const server = sys.chatServers.find((s) => s.id === home.serverId);
    assert.ok(server, `no process for ${home.serverId}`);
    await server.kill();
    const answers = await Promise.all(dying);
    const lostAnswers = answers.filter((a) => !a?.ok).length;

    // The dispatcher moves Ana once the dead server's beats run out; she retries everything there.
    let place = await sys.locate(ana.token);
    const deadline = Date.now() + 20000;
    while (place.serverId === home.serverId) {
      if (Date.now() > deadline) throw new Error('Ana was not moved off the dead server');
      await new Promise((r) => { setTimeout(r, 100); });
      place = await sys.locate(ana.token);
    }
    const second = await connect(place.url, ana.token);
    const retried = await Promise.all(burst(second));
    second.disconnect();
    retried.forEach((ack) => assert.ok(ack?.ok, JSON.stringify(ack)));

    const res = await fetch(`${sys.data?.url}/group/${room}/changes?after=0&limit=100`, {
      headers: { 'x-internal-token': sys.secrets.INTERNAL_TOKEN },
    });
    assert.equal(res.status, 200);
    const page = await res.json() as ChangesPage<StoredMessage>;
    const bySeq = [...page.items].sort((a, b) => a.seq - b.seq);
    assert.deepEqual(bySeq.map((m) => m.seq), Array.from({ length: FIRST + MORE }, (_, i) => i + 1), 'every message once, no gap');
    assert.deepEqual(bySeq.map((m) => m.clientId), Array.from({ length: FIRST + MORE }, (_, i) => `m${i + 1}`));
    bySeq.slice(0, FIRST).forEach((m, i) => {
      assert.equal(m.message, `message ${i + 1}, edited`);
      assert.ok(m.editedAt);
      assert.deepEqual(m.reactions?.map((r) => [r.emoji, r.count, r.ups]), [[EMOJI, 1, [ana.up]]]);
    });
    bySeq.slice(FIRST).forEach((m, i) => assert.equal(m.message, `message ${FIRST + i + 1}`));
    // One revision per action: 20 messages, 12 edits, 12 reactions; a retried edit or reaction already
    // applied claims none. A retried send whose first copy was stored before its answer was lost may
    // leave one unused revision (a gap in rev, never a second state): at most one per such send.
    const actions = FIRST + MORE + FIRST + FIRST;
    const lostSends = answers.slice(2 * FIRST).filter((a) => !a?.ok).length;
    assert.ok(page.rev >= actions && page.rev <= actions + lostSends, `${page.rev} revisions for ${actions} actions (${lostSends} sends unanswered)`);
    assert.ok(lostAnswers > 0, 'the kill came in the middle of the burst');
  });
});
