/**
 * The send batcher on its own: an idle send goes at once; sends that arrive
 * while their group's batch is in flight become the next batch call (a group
 * in one call at a time, up to maxInFlight calls), answered in seq order; refusals and outages reach only the
 * senders concerned, and nothing is answered before it is stored.
 */
import assert from 'node:assert/strict';
import { AppError } from '@chat/shared';
import type { StoredMessage } from '@chat/shared';
import type { NewMessage } from '../src/data/client';
import { createSendBatcher } from '../src/messages/send-batcher';
import type { SendBatcherOptions } from '../src/messages/send-batcher';

type StoreResults = Awaited<ReturnType<SendBatcherOptions['store']>>;

const stored = (m: NewMessage, seq: number): StoredMessage => ({
  id: `id${seq}`, group: m.group, seq, from: m.from, message: m.message, clientId: m.clientId, timestamp: new Date().toISOString(),
});

const item = (i: number): NewMessage => ({
  group: 'g', from: 'u', message: `m${i}`, clientId: `c${i}`,
});

/** A store whose calls hang until released, recording each call's clientIds. */
function gatedStore() {
  const calls: string[][] = [];
  const gates: (() => void)[] = [];
  let seq = 0;
  let inFlight = 0;
  const store: SendBatcherOptions['store'] = async (messages) => {
    inFlight += 1;
    assert.equal(inFlight, 1, 'one batch at a time');
    calls.push(messages.map((m) => m.clientId));
    await new Promise<void>((r) => { gates.push(r); });
    inFlight -= 1;
    // The data service numbers them in an order of its own: reversed here.
    const seqs = messages.map(() => { seq += 1; return seq; }).reverse();
    return messages.map((m, i) => ({ ok: true as const, status: 201, message: stored(m, seqs[i]!) }));
  };
  /** Lets the oldest waiting call return. */
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => { setImmediate(r); });
    gates.shift()?.();
  };
  return { calls, store, release };
}

/** A store whose calls hang until released one by one, by group; records each call's groups and clientIds. */
function groupGatedStore() {
  const calls: NewMessage[][] = [];
  type Gate = () => void;
  const gates = new Map<NewMessage[], Gate>();
  const seqs = new Map<string, number>();
  const store: SendBatcherOptions['store'] = async (messages) => {
    calls.push(messages);
    await new Promise<void>((r) => { gates.set(messages, r); });
    return messages.map((m) => {
      const seq = (seqs.get(m.group) ?? 0) + 1;
      seqs.set(m.group, seq);
      return { ok: true as const, status: 201, message: stored(m, seq) };
    });
  };
  const open = () => calls.filter((c) => gates.has(c));
  /** Lets the oldest waiting call that holds `group` return. */
  const release = async (group: string) => {
    let call = open().find((c) => c.some((m) => m.group === group));
    while (!call) {
      await new Promise((r) => { setImmediate(r); });
      call = open().find((c) => c.some((m) => m.group === group));
    }
    gates.get(call)?.();
    gates.delete(call);
  };
  return {
    calls, store, release, open,
  };
}

const to = (group: string, i: number): NewMessage => ({
  group, from: 'u', message: `${group}${i}`, clientId: `${group}-${i}`,
});

describe('send batcher', () => {
  it('sends an idle send to the data service at once, with no window', async () => {
    const { calls, store, release } = gatedStore();
    const batcher = createSendBatcher({
      intervalMs: 0, maxBatch: 10, store, afterStore: async () => undefined,
    });
    const sent = batcher.send(item(1));
    assert.deepEqual(calls, [['c1']], 'the store call starts before send() returns');
    await release();
    assert.equal((await sent).message.seq, 1);
  });

  it('gathers the sends that arrive during an in-flight batch into the next, within maxBatch, answered in seq order', async () => {
    const { calls, store, release } = gatedStore();
    const afterStore: number[][] = [];
    const batcher = createSendBatcher({
      intervalMs: 0,
      maxBatch: 10,
      store,
      afterStore: async (outcomes) => { afterStore.push(outcomes.map((o) => o.message.seq)); },
    });
    const resolvedOrder: number[] = [];
    const sends = Array.from({ length: 25 }, (_, i) => batcher.send(item(i))
      .then((o) => { resolvedOrder.push(o.message.seq); }));
    assert.equal(calls.length, 1, 'the rest wait for the first batch');
    for (let i = 0; i < 4; i += 1) await release();
    await Promise.all(sends);
    assert.deepEqual(calls.map((c) => c.length), [1, 10, 10, 4]);
    assert.deepEqual(calls.flat(), Array.from({ length: 25 }, (_, i) => `c${i}`), 'in arrival order');
    assert.deepEqual(resolvedOrder, Array.from({ length: 25 }, (_, i) => i + 1));
    assert.deepEqual(afterStore.flat(), resolvedOrder, 'the buffer hears of each batch before its senders');
  });

  it('sends a group whose batch is not in flight at once, up to maxInFlight batches, each group in one at most', async () => {
    const {
      calls, store, release, open,
    } = groupGatedStore();
    const delivered: string[] = [];
    const batcher = createSendBatcher({
      intervalMs: 0,
      maxBatch: 10,
      maxInFlight: 3,
      store,
      afterStore: async (outcomes) => { delivered.push(...outcomes.map((o) => o.message.clientId ?? '')); },
    });
    const sends = [batcher.send(to('a', 1)), batcher.send(to('b', 1)), batcher.send(to('a', 2))];
    assert.deepEqual(
      calls.map((c) => c.map((m) => m.clientId)),
      [['a-1'], ['b-1']],
      'b goes while a is in flight; a-2 waits for a',
    );
    sends.push(batcher.send(to('c', 1)), batcher.send(to('d', 1)), batcher.send(to('b', 2)));
    assert.deepEqual(calls.map((c) => c.map((m) => m.clientId)), [['a-1'], ['b-1'], ['c-1']], 'three at most');
    await release('a');
    // a's slot is free: the oldest waiting sends of groups not in flight go together (a-2, d-1; b-2 waits for b).
    while (calls.length < 4) await new Promise((r) => { setImmediate(r); });
    assert.deepEqual(calls[3]?.map((m) => m.clientId), ['a-2', 'd-1']);
    await release('b');
    while (calls.length < 5) await new Promise((r) => { setImmediate(r); });
    assert.deepEqual(calls[4]?.map((m) => m.clientId), ['b-2']);
    assert.ok(open().every((call, i, all) => all.every((other) => other === call
      || !other.some((m) => call.some((n) => n.group === m.group)))), 'no group in two batches in flight');
    await Promise.all(['c', 'a', 'b'].map((g) => release(g)));
    const outcomes = await Promise.all(sends);
    assert.deepEqual(outcomes.map((o) => `${o.message.group}:${o.message.seq}`), ['a:1', 'b:1', 'a:2', 'c:1', 'd:1', 'b:2']);
    assert.deepEqual(delivered.filter((id) => id.startsWith('a')), ['a-1', 'a-2'], 'a group is delivered in order');
    await batcher.drain();
    assert.equal(batcher.pending(), 0);
  });

  it('with the opt-in window, gathers idle sends for that long, or less once maxBatch are waiting', async () => {
    const { calls, store, release } = gatedStore();
    const batcher = createSendBatcher({
      intervalMs: 60_000, maxBatch: 3, store, afterStore: async () => undefined,
    });
    const first = [1, 2].map((i) => batcher.send(item(i)));
    assert.equal(calls.length, 0, 'waiting for the window');
    const third = batcher.send(item(3));
    assert.deepEqual(calls, [['c1', 'c2', 'c3']], 'a full batch goes without waiting');
    await release();
    await Promise.all([...first, third]);
  });

  it('hands each sender its own refusal, and UNAVAILABLE to all when the call fails', async () => {
    let fail = false;
    const batcher = createSendBatcher({
      intervalMs: 1,
      maxBatch: 50,
      store: async (messages): Promise<StoreResults> => {
        if (fail) throw new AppError('UNAVAILABLE', 'the data service is unreachable');
        return messages.map((m, i) => (m.message === 'm1'
          ? { ok: false as const, error: { code: 'FORBIDDEN', message: 'not a member' } }
          : { ok: true as const, status: i === 2 ? 200 : 201, message: stored(m, i + 1) }));
      },
      afterStore: async () => undefined,
    });
    const results = await Promise.allSettled([0, 1, 2].map((i) => batcher.send(item(i))));
    assert.equal(results[0]?.status, 'fulfilled');
    assert.ok(results[1]?.status === 'rejected' && (results[1].reason as AppError).code === 'FORBIDDEN');
    assert.ok(results[2]?.status === 'fulfilled' && results[2].value.created === false, 'a retry is not "created"');

    fail = true;
    const down = await Promise.allSettled([3, 4].map((i) => batcher.send(item(i))));
    down.forEach((r) => assert.ok(r.status === 'rejected' && (r.reason as AppError).code === 'UNAVAILABLE'));
  });

  it('drains what is queued before shutdown', async () => {
    let storedCount = 0;
    const batcher = createSendBatcher({
      intervalMs: 50,
      maxBatch: 50,
      store: async (messages) => {
        storedCount += messages.length;
        return messages.map((m, i) => ({ ok: true as const, status: 201, message: stored(m, i + 1) }));
      },
      afterStore: async () => undefined,
    });
    const sends = [0, 1, 2].map((i) => batcher.send(item(i)));
    await batcher.drain();
    assert.equal(storedCount, 3);
    await Promise.all(sends);
  });

  it('joins a retry of a queued or in-flight send instead of storing a copy', async () => {
    const storedItems: string[] = [];
    let release: () => void = () => undefined;
    const batcher = createSendBatcher({
      intervalMs: 0,
      maxBatch: 50,
      store: async (messages) => {
        storedItems.push(...messages.map((m) => m.clientId));
        // The first batch hangs until released, as a slow data service would.
        if (storedItems.length === messages.length) await new Promise<void>((r) => { release = r; });
        const base = storedItems.length - messages.length;
        return messages.map((m, i) => ({ ok: true as const, status: 201, message: stored(m, base + i + 1) }));
      },
      afterStore: async () => undefined,
    });
    const first = batcher.send(item(1));
    await new Promise((r) => { setTimeout(r, 20); });
    const retryInFlight = batcher.send(item(1));
    const other = batcher.send(item(2));
    const retryQueued = batcher.send(item(2));
    const sameIdOtherSender = batcher.send({ ...item(2), from: 'someone else' });
    release();
    const [a, b, c, d, e] = await Promise.all([first, retryInFlight, other, retryQueued, sameIdOtherSender]);
    assert.deepEqual(storedItems, ['c1', 'c2', 'c2'], 'one store per message and sender');
    assert.equal(a.message.id, b.message.id);
    assert.equal(c.message.id, d.message.id);
    assert.notEqual(e.message.id, c.message.id);
  });
});
