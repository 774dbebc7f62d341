/** The message list of a group: each message once, in seq order, own sends pending → sent or failed. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ChatMessagePayload } from '@chat/contract';
import { messageAt, ROOM } from '@chat/protocol-client/test/fixtures';
import { mergeBySeq, Timeline } from '../src/logic/timeline';

const msg = messageAt;

describe('client: timeline', () => {
  it('merges any deliveries into one ascending list with each seq once (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 30 }), { maxLength: 8 }),
      (batches) => {
        let held: ChatMessagePayload[] = [];
        batches.forEach((batch) => { held = mergeBySeq(held, batch.map((s) => msg(s))).merged; });
        const seqs = held.map((m) => m.seq);
        const expected = [...new Set(batches.flat())].sort((a, b) => a - b);
        assert.deepEqual(seqs, expected);
      },
    ));
  });

  it('ignores a message whose id is already held under another seq, and invalid seqs', () => {
    const { merged, added } = mergeBySeq([msg(1)], [msg(2, { id: 'id-1' }), msg(0), msg(1.5), msg(3)]);
    assert.deepEqual(merged.map((m) => m.seq), [1, 3]);
    assert.deepEqual(added.map((m) => m.seq), [3]);
  });

  it('keeps messages of other groups out', () => {
    const timeline = new Timeline(ROOM);
    timeline.merge([msg(1), msg(2, { room: 'other' })]);
    assert.deepEqual(timeline.messages.map((m) => m.seq), [1]);
  });

  it('knows where a catch-up has to start when a live message jumps ahead', () => {
    const timeline = new Timeline(ROOM);
    timeline.merge([msg(4), msg(5), msg(6)]);
    assert.equal(timeline.hasGap(), false);
    timeline.merge([msg(9)]);
    assert.equal(timeline.lastSeq, 9);
    assert.equal(timeline.contiguousLastSeq(), 6);
    assert.equal(timeline.hasGap(), true);
    timeline.merge([msg(7), msg(8)]);
    assert.equal(timeline.contiguousLastSeq(), 9);
  });

  it('shows an own message as pending, then sent with its seq, under the same key', () => {
    const timeline = new Timeline(ROOM);
    timeline.merge([msg(1)]);
    timeline.addPending({
      clientId: 'c-new', up: '1001', message: 'hello', timestamp: new Date().toISOString(),
    });
    const [, pending] = timeline.items();
    assert.equal(pending?.status, 'pending');
    assert.equal(pending?.seq, null);
    timeline.acknowledge('c-new', { id: 'id-2', seq: 2, timestamp: new Date().toISOString() });
    const items = timeline.items();
    assert.equal(items.length, 2);
    assert.equal(items[1]?.status, 'sent');
    assert.equal(items[1]?.seq, 2);
    assert.equal(items[1]?.key, pending?.key, 'the same element moves from pending to sent');
  });

  it('does not duplicate an own message whose live echo arrives before the ack', () => {
    const timeline = new Timeline(ROOM);
    timeline.addPending({
      clientId: 'c-1', up: '1001', message: 'hi', timestamp: new Date().toISOString(),
    });
    timeline.merge([msg(1, { clientId: 'c-1', message: 'hi' })]);
    timeline.acknowledge('c-1', { id: 'id-1', seq: 1, timestamp: new Date().toISOString() });
    assert.deepEqual(timeline.items().map((i) => [i.seq, i.status]), [[1, 'sent']]);
  });

  it('marks a failed send with its error, and queues it again for a retry with the same clientId', () => {
    const timeline = new Timeline(ROOM);
    timeline.addPending({
      clientId: 'c-9', up: '1001', message: 'x', timestamp: new Date().toISOString(),
    });
    timeline.markFailed('c-9', 'You are not allowed to do that.');
    assert.deepEqual(timeline.queued(), []);
    assert.equal(timeline.items()[0]?.error, 'You are not allowed to do that.');
    timeline.markPending('c-9');
    assert.deepEqual(timeline.queued(), ['c-9']);
    assert.equal(timeline.items()[0]?.clientId, 'c-9');
  });

  it('stops offering older messages once seq 1 is held', () => {
    const timeline = new Timeline(ROOM);
    timeline.hasOlder = true;
    timeline.merge([msg(3)]);
    assert.equal(timeline.hasOlder, true);
    timeline.merge([msg(1), msg(2)]);
    assert.equal(timeline.hasOlder, false);
  });

  it('resets to the newest page but keeps unsent messages', () => {
    const timeline = new Timeline(ROOM);
    timeline.merge([msg(1), msg(2)]);
    timeline.addPending({
      clientId: 'c-q', up: '1001', message: 'queued', timestamp: new Date().toISOString(),
    });
    timeline.resetTo([msg(900), msg(901)], true);
    assert.deepEqual(timeline.messages.map((m) => m.seq), [900, 901]);
    assert.equal(timeline.hasOlder, true);
    assert.deepEqual(timeline.queued(), ['c-q']);
  });
});
