/**
 * Senders' read positions: visible to readers in this process from the moment
 * they are added (while unsaved and while being saved), saved in the
 * background coalesced, each membership once per pass at its highest seq.
 */
import assert from 'node:assert/strict';
import type { Models } from '../src/db/models';
import { SenderReads } from '../src/messages/sender-reads';

const GROUP = '0123456789abcdef01234567';
const tick = () => new Promise<void>((resolve) => { setImmediate(resolve); });

type Write = { updateOne: { filter: { _id: string }; update: { $max: { lastReadSeq: number } } } };

/** A memberships collection whose bulk writes finish when the test says so. */
function gatedMemberships() {
  const writes: Array<Array<[string, number]>> = [];
  const gates: Array<() => void> = [];
  const Membership = {
    bulkWrite: (ops: Write[]) => new Promise<void>((resolve) => {
      writes.push(ops.map((op) => [op.updateOne.filter._id, op.updateOne.update.$max.lastReadSeq]));
      gates.push(resolve);
    }),
  } as unknown as Models['Membership'];
  return { Membership, writes, finishNext: () => gates.shift()?.() };
}

describe('SenderReads (unit)', () => {
  it('shows a sender their position at once, while unsaved and while being saved, and never below the stored one', async () => {
    const db = gatedMemberships();
    const reads = new SenderReads(db, { onError: () => assert.fail('no error'), intervalMs: 10000 });
    const ana = `${GROUP}:1001`;
    reads.add([{ group: GROUP, from: '1001', seq: 4 }]);
    assert.equal(reads.positionOf(ana, 0), 4, 'before any write');
    await tick();
    assert.deepEqual(db.writes, [[[ana, 4]]], 'the first position goes at once');
    assert.equal(reads.positionOf(ana, 0), 4, 'while its write is in flight');
    assert.equal(reads.positionOf(ana, 9), 9, 'a stored position further on wins');
    assert.equal(reads.positionOf(`${GROUP}:1002`, 2), 2, 'another member: the stored position');
    db.finishNext();
    await tick();
    assert.equal(reads.positionOf(ana, 0), 0, 'once saved, the database answers');
    const closing = reads.close();
    db.finishNext();
    await closing;
  });

  it('saves each membership once per pass, at its highest seq, when the interval has passed', async () => {
    const db = gatedMemberships();
    const reads = new SenderReads(db, { onError: () => assert.fail('no error'), intervalMs: 10000 });
    reads.add([{ group: GROUP, from: '1001', seq: 1 }]);
    await tick();
    db.finishNext();
    reads.add([{ group: GROUP, from: '1001', seq: 3 }, { group: GROUP, from: '1002', seq: 2 }]);
    reads.add([{ group: GROUP, from: '1001', seq: 5 }]);
    await tick();
    assert.equal(db.writes.length, 1, 'the next pass waits for the interval');
    const closing = reads.close();
    await tick();
    db.finishNext();
    await closing;
    assert.deepEqual(db.writes, [
      [[`${GROUP}:1001`, 1]],
      [[`${GROUP}:1001`, 5], [`${GROUP}:1002`, 2]],
    ]);
  });
});
