/** A group's timeline as the protocol client holds it: each seq once, in order, and the counts of what it dropped. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GroupTimeline } from '../src/timeline';
import { messageAt, ROOM } from './fixtures';

const msg = messageAt;

describe('protocol client: group timeline', () => {
  it('holds each seq once, ascending, and counts every other delivery as a redelivery (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 20 }), { maxLength: 8 }),
      (batches) => {
        const timeline = new GroupTimeline(ROOM);
        batches.forEach((batch) => timeline.merge(batch.map((s) => msg(s))));
        const all = batches.flat();
        const distinct = [...new Set(all)].sort((a, b) => a - b);
        assert.deepEqual(timeline.messages.map((m) => m.seq), distinct);
        assert.equal(timeline.counters.redelivered, all.length - distinct.length);
        assert.equal(timeline.counters.storedTwice, 0);
        assert.equal(timeline.lastSeq, distinct[distinct.length - 1] ?? 0);
      },
    ));
  });

  it('does not count a newer state of a held message as a redelivery', () => {
    const timeline = new GroupTimeline(ROOM);
    timeline.merge([msg(1, { rev: 1 })]);
    timeline.applyChanges([msg(1, { rev: 5, message: 'edited' })]);
    assert.equal(timeline.counters.redelivered, 0);
    timeline.applyChanges([msg(1, { rev: 5, message: 'edited' })]);
    assert.equal(timeline.counters.redelivered, 1);
  });

  it('counts one send stored under two seqs (one clientId, two ids)', () => {
    const timeline = new GroupTimeline(ROOM);
    timeline.merge([msg(1, { clientId: 'same' }), msg(2)]);
    timeline.merge([msg(3, { clientId: 'same' })]);
    assert.equal(timeline.counters.storedTwice, 1);
    assert.equal(timeline.messages.length, 3, 'both are held: the client shows what the server stored');
  });

  it('applies a retried send\'s acknowledgement once, whether the live event or the ack comes first', () => {
    const timeline = new GroupTimeline(ROOM);
    timeline.addPending({
      clientId: 'c-1', up: '1001', message: 'hello', timestamp: new Date().toISOString(),
    });
    assert.deepEqual(timeline.queued(), ['c-1']);
    const ack = { id: 'id-1', seq: 1, timestamp: '2025-01-01T00:00:00.000Z' };
    timeline.acknowledge('c-1', ack);
    timeline.acknowledge('c-1', ack);
    timeline.merge([msg(1, { clientId: 'c-1', message: 'hello', rev: 1 })]);
    assert.deepEqual(timeline.messages.map((m) => [m.seq, m.rev]), [[1, 1]]);
    assert.deepEqual(timeline.queued(), []);
    assert.equal(timeline.counters.storedTwice, 0);
  });

  it('is loaded from the newest page with older messages to fetch, until seq 1 is held', () => {
    const timeline = new GroupTimeline(ROOM);
    timeline.merge([msg(5), msg(6)]);
    timeline.markLoaded(true);
    assert.equal(timeline.loaded, true);
    assert.equal(timeline.hasOlder, true);
    timeline.merge([msg(1), msg(2), msg(3), msg(4)]);
    assert.equal(timeline.hasOlder, false);
    timeline.markLoaded(true);
    assert.equal(timeline.hasOlder, false, 'nothing is older than seq 1');
  });
});
