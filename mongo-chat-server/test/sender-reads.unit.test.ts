/**
 * Senders' read positions written after the ack: gathered while a write is in
 * flight, each membership once with its highest seq, and `settled()` waits for
 * what was added before it was called, never for a stream of later sends.
 */
import assert from 'node:assert/strict';
import { SenderReads } from '../src/messages/sender-reads';

const GROUP = '0123456789abcdef01234567';
const tick = () => new Promise<void>((resolve) => { setImmediate(resolve); });

/** A write that finishes when the test says so. */
function gatedWriter() {
  const writes: Array<Array<[string, number]>> = [];
  const gates: Array<() => void> = [];
  return {
    writes,
    write: (positions: Array<[string, number]>) => new Promise<void>((resolve) => {
      writes.push(positions);
      gates.push(resolve);
    }),
    finishNext: () => gates.shift()?.(),
  };
}

describe('SenderReads (unit)', () => {
  it('gathers positions while a write is in flight, each membership once at its highest seq', async () => {
    const writer = gatedWriter();
    const reads = new SenderReads({ write: writer.write, onError: () => assert.fail('no error') });
    reads.add([{ group: GROUP, from: '1001', seq: 1 }]);
    await tick();
    reads.add([{ group: GROUP, from: '1001', seq: 3 }, { group: GROUP, from: '1002', seq: 2 }]);
    reads.add([{ group: GROUP, from: '1001', seq: 4 }]);
    writer.finishNext();
    await tick();
    await tick();
    assert.deepEqual(writer.writes, [
      [[`${GROUP}:1001`, 1]],
      [[`${GROUP}:1001`, 4], [`${GROUP}:1002`, 2]],
    ]);
    writer.finishNext();
    await reads.settled();
  });

  it('settles once what was added before is written, while later sends keep writing', async () => {
    const writer = gatedWriter();
    const reads = new SenderReads({ write: writer.write, onError: () => assert.fail('no error') });
    reads.add([{ group: GROUP, from: '1001', seq: 1 }]);
    let settled = false;
    const waiting = reads.settled().then(() => { settled = true; });
    await tick();
    // A stream of sends keeps a write in flight at every moment from now on.
    reads.add([{ group: GROUP, from: '1002', seq: 2 }]);
    writer.finishNext();
    await waiting;
    assert.ok(settled, 'the reader did not wait for the later send');
    reads.add([{ group: GROUP, from: '1003', seq: 3 }]);
    let later = false;
    const laterWait = reads.settled().then(() => { later = true; });
    await tick();
    assert.equal(later, false, 'a read after a send waits for that send\'s position');
    writer.finishNext();
    await tick();
    writer.finishNext();
    await laterWait;
    assert.ok(later);
  });

  it('reports a failed write and still settles its readers', async () => {
    const errors: unknown[] = [];
    const reads = new SenderReads({
      write: async () => { throw new Error('database away'); },
      onError: (err) => errors.push(err),
    });
    reads.add([{ group: GROUP, from: '1001', seq: 1 }]);
    await reads.settled();
    assert.equal(errors.length, 1);
  });
});
