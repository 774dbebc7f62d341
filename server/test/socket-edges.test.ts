/**
 * The socket protocol at its edges, as a client writer meets them: the
 * largest valid message fits in a frame, anything over a limit gets an error
 * ack on an open socket, undeclared events are answered, text that cannot be
 * stored is refused before it is delivered, and the original protocol's send without a
 * clientId still works.
 */
import assert from 'node:assert/strict';
import type { Ack, SendMessageResult } from '@chat/contract';
import { LIMITS } from '@chat/contract';
import {
  Cluster, clientId, collect, eventually, request, startDataTier,
} from './support/cluster';
import type { ChatClient, DataTier, TestUser } from './support/cluster';

describe('chat server: socket protocol edges', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;

  before(async () => { tier = await startDataTier('socket-edges'); });
  after(async () => { await tier.close(); });
  beforeEach(async () => {
    cluster = new Cluster(tier);
    await cluster.addServer();
  });
  afterEach(async () => { await cluster.close(); });

  const history = (user: TestUser, group: string) => cluster.history(user, group);

  async function pair() {
    const [alice, bob] = await cluster.users(2);
    const group = await cluster.group(alice!, [bob!]);
    const a = await cluster.connect(alice!);
    const b = await cluster.connect(bob!);
    const send = (fields: Record<string, unknown>) => request<SendMessageResult>(a, 'chat message', {
      message: 'hi', up: alice!.up, room: group, clientId: clientId(), ...fields,
    });
    return {
      alice: alice!, bob: bob!, group, a, b, send,
    };
  }

  const errorOf = (ack: Ack) => (ack.ok ? null : ack.error);

  it('acknowledges and delivers a valid message of 3,000 control characters (18 KB as JSON), and the largest valid one', async () => {
    const {
      bob, group, b, send,
    } = await pair();
    const delivered = collect(b, 'chat message');
    const text = '\u0001'.repeat(3000);
    const ack = await send({ message: text });
    assert.ok(ack.ok, JSON.stringify(ack).slice(0, 200));
    await eventually(() => delivered.some((m) => m.id === ack.id), 'delivery to bob');
    assert.equal(delivered.find((m) => m.id === ack.id)?.message, text);
    assert.equal((await history(bob, group))[0]?.message, text);

    const control = (length: number) => '\u0001'.repeat(length);
    const largest = await send({
      message: control(LIMITS.messageLength), clientId: control(LIMITS.clientId), timestamp: control(64),
    });
    assert.ok(largest.ok, 'the largest valid request fits in a frame');
  });

  it('fits the largest valid messages over HTTP long-polling too, two sent at once', async () => {
    const { alice, group } = await pair();
    const polling = await cluster.connect(alice, 0, ['polling']);
    const control = (length: number) => '\u0001'.repeat(length);
    const acks = await Promise.all([1, 2].map(() => request<SendMessageResult>(polling, 'chat message', {
      message: control(LIMITS.messageLength), up: alice.up, room: group, clientId: clientId(),
    })));
    assert.ok(acks.every((ack) => ack.ok), JSON.stringify(acks.map(errorOf)));
    assert.ok(polling.connected);
  });

  it('answers an over-limit message with VALIDATION_FAILED and keeps the socket open', async () => {
    const { a, send } = await pair();
    const tooLong = await send({ message: '\u0001'.repeat(LIMITS.messageLength + 1) });
    assert.equal(errorOf(tooLong)?.code, 'VALIDATION_FAILED');
    assert.match(errorOf(tooLong)?.message ?? '', /at most 4000 characters/);
    const longClientId = await send({ clientId: '\u0001'.repeat(LIMITS.clientId + 1) });
    assert.equal(errorOf(longClientId)?.code, 'VALIDATION_FAILED');
    assert.ok(a.connected, 'the socket stays open');
    assert.ok((await send({ message: 'still here' })).ok);
  });

  it('counts the message limit in code points: 4,000 emoji fit', async () => {
    const { bob, group, send } = await pair();
    const emoji = '\u{1F600}'.repeat(LIMITS.messageLength);
    const ack = await send({ message: emoji });
    assert.ok(ack.ok, JSON.stringify(ack).slice(0, 200));
    assert.equal((await history(bob, group))[0]?.message, emoji);
  });

  it('answers an undeclared event that has an ack callback with VALIDATION_FAILED', async () => {
    const { a, send } = await pair();
    const raw = a.emit.bind(a) as unknown as (event: string, ...args: unknown[]) => void;
    const answer = await new Promise<Ack>((resolve) => { raw('delete everything', { please: true }, resolve); });
    assert.equal(errorOf(answer)?.code, 'VALIDATION_FAILED');
    assert.match(errorOf(answer)?.message ?? '', /unknown event "delete everything"/);
    assert.ok(a.connected);
    assert.ok((await send({ message: 'after the unknown event' })).ok);
  });

  it('refuses a lone surrogate in any text field, so live and stored text never differ', async () => {
    const {
      bob, group, b, send,
    } = await pair();
    const delivered = collect(b, 'chat message');
    for (const fields of [{ message: 'broken \uD800 half' }, { message: '\uDE00' }, { clientId: 'id-\uD800' }, { timestamp: '\uDBFF' }]) {
      const ack = await send(fields);
      assert.equal(errorOf(ack)?.code, 'VALIDATION_FAILED', JSON.stringify(fields));
      assert.match(errorOf(ack)?.message ?? '', /lone surrogate/);
    }
    const pairOk = await send({ message: 'a whole pair \uD83D\uDE00' });
    assert.ok(pairOk.ok);
    await eventually(() => delivered.length === 1, 'the well-formed message only');
    assert.equal(delivered[0]?.message, 'a whole pair \u{1F600}');
    assert.deepEqual((await history(bob, group)).map((m) => m.message), ['a whole pair \u{1F600}']);
  });

  it("accepts the original protocol's send without a clientId: the server assigns one, and a resend is stored again", async () => {
    const {
      alice, bob, group, a, b,
    } = await pair();
    const delivered = collect(b, 'chat message');
    const oldClientSend = (client: ChatClient, timestamp: unknown) => request<SendMessageResult>(client, 'chat message', {
      message: 'from an old client', up: alice.up, room: group, timestamp,
    });
    const first = await oldClientSend(a, new Date().toISOString());
    const again = await oldClientSend(a, Date.now());
    assert.ok(first.ok && again.ok, JSON.stringify([first, again]));
    assert.notEqual(first.id, again.id, 'not idempotent: each send is a new message');
    assert.deepEqual([first.seq, again.seq], [1, 2]);
    await eventually(() => delivered.length === 2, 'both delivered');
    assert.ok(delivered.every((m) => m.clientId.length > 0), 'the server assigned a clientId');
    assert.notEqual(delivered[0]?.clientId, delivered[1]?.clientId);
    assert.equal((await history(bob, group)).length, 2);
  });

  it('serves asyncapi.yaml, the socket events described from the contract, beside /docs', async () => {
    const res = await fetch(`${cluster.server(0).url}/docs/asyncapi.yaml`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /^asyncapi: 3\.0\.0$/m);
    assert.match(body, /name: chat message ack/);
  });
});
