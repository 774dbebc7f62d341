/**
 * The send batcher on its own: concurrent sends become few batch calls, one
 * at a time, answered in seq order; refusals and outages reach only the
 * senders concerned, and nothing is answered before it is stored.
 */
import assert from 'node:assert/strict';
import { AppError } from '@chat/shared';
import type { StoredMessage } from '@chat/shared';
import type { NewMessage } from '../src/data/client';
import { createSendBatcher } from '../src/send-batcher';
import type { SendBatcherOptions } from '../src/send-batcher';

type StoreResults = Awaited<ReturnType<SendBatcherOptions['store']>>;

const stored = (m: NewMessage, seq: number): StoredMessage => ({
  id: `id${seq}`, group: m.group, seq, from: m.from, message: m.message, clientId: m.clientId, timestamp: new Date().toISOString(),
});

const item = (i: number): NewMessage => ({
  group: 'g', from: 'u', message: `m${i}`, clientId: `c${i}`,
});

describe('send batcher', () => {
  it('stores concurrent sends in few batch calls, one in flight at a time, in seq order', async () => {
    const calls: number[] = [];
    let inFlight = 0;
    let seq = 0;
    const afterStore: number[][] = [];
    const batcher = createSendBatcher({
      intervalMs: 5,
      maxBatch: 10,
      store: async (messages) => {
        inFlight += 1;
        assert.equal(inFlight, 1, 'one batch at a time');
        calls.push(messages.length);
        await new Promise((r) => { setTimeout(r, 10); });
        inFlight -= 1;
        // The data service numbers them in an order of its own: reversed here.
        const seqs = messages.map(() => { seq += 1; return seq; }).reverse();
        return messages.map((m, i) => ({ ok: true as const, status: 201, message: stored(m, seqs[i]!) }));
      },
      afterStore: async (outcomes) => { afterStore.push(outcomes.map((o) => o.message.seq)); },
    });
    const resolvedOrder: number[] = [];
    const sends = Array.from({ length: 25 }, (_, i) => batcher.send(item(i))
      .then((o) => { resolvedOrder.push(o.message.seq); }));
    await Promise.all(sends);
    assert.deepEqual(calls, [10, 10, 5]);
    assert.deepEqual(resolvedOrder, Array.from({ length: 25 }, (_, i) => i + 1));
    assert.deepEqual(afterStore.flat(), resolvedOrder, 'the buffer hears of each batch before its senders');
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
      intervalMs: 5,
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
