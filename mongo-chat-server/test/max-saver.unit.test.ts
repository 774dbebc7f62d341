/**
 * The paced `$max` saver behind group hints and notification marks: marks are
 * coalesced per key (the highest wins), a pass saves all of them in one call,
 * passes are paced, and a failed pass keeps its marks for the retry.
 */
import assert from 'node:assert/strict';
import { MaxSaver } from '../src/db/max-saver';
import type { Mark } from '../src/db/max-saver';

const sleep = (ms: number) => new Promise<void>((resolve) => { setTimeout(resolve, ms); });
const tick = () => new Promise<void>((resolve) => { setImmediate(resolve); });

/** Waits until `done()` holds (timers on a busy machine fire late, never early). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail('timed out waiting');
    // eslint-disable-next-line no-await-in-loop
    await sleep(5);
  }
}

describe('MaxSaver (unit)', () => {
  it('saves the highest mark of each key, all of a pass in one call, one pass per interval', async () => {
    const saves: Mark<string, 'seq'>[][] = [];
    const savedAt: number[] = [];
    const saver = new MaxSaver<string, 'seq'>({
      save: async (marks) => { saves.push(marks); savedAt.push(Date.now()); },
      onError: () => assert.fail('no error expected'),
      intervalMs: 40,
    });
    saver.mark('a', { seq: 1 });
    saver.mark('a', { seq: 3 });
    saver.mark('a', { seq: 2 });
    saver.mark('b', { seq: 5 });
    await tick();
    assert.deepEqual(saves, [[{ id: 'a', values: { seq: 1 } }]], 'the first mark goes at once; the rest wait for the interval');
    await until(() => saves.length === 2);
    assert.deepEqual(saves[1], [{ id: 'a', values: { seq: 3 } }, { id: 'b', values: { seq: 5 } }]);
    const [first = 0, second = 0] = savedAt;
    assert.ok(second - first >= 39, 'the second pass waited for the interval');
    await saver.close();
    assert.equal(saves.length, 2, 'nothing left to save at close');
  });

  it('keeps the marks of a failed pass and saves them, with newer ones, on the retry', async () => {
    const saves: Mark<string, 'seq'>[][] = [];
    const errors: unknown[] = [];
    let fail = true;
    const saver = new MaxSaver<string, 'seq'>({
      save: async (marks) => {
        if (fail) { fail = false; throw new Error('database away'); }
        saves.push(marks);
      },
      onError: (err) => errors.push(err),
      intervalMs: 0,
      retryMs: 200,
    });
    saver.mark('g', { seq: 7 });
    await tick();
    assert.equal(errors.length, 1);
    saver.mark('g', { seq: 6 });
    saver.mark('h', { seq: 1 });
    await until(() => saves.length > 0);
    assert.deepEqual(saves, [[{ id: 'g', values: { seq: 7 } }, { id: 'h', values: { seq: 1 } }]]);
    await saver.close();
  });

  it('keeps each field of a document at its own highest value, saved together', async () => {
    const saves: Mark<string, 'lastSeq' | 'lastRev'>[][] = [];
    const saver = new MaxSaver<string, 'lastSeq' | 'lastRev'>({
      save: async (marks) => { saves.push(marks); },
      onError: () => assert.fail('no error expected'),
      intervalMs: 10000,
    });
    saver.mark('busy', { lastSeq: 1 });
    saver.mark('busy', { lastSeq: 5 });
    saver.mark('busy', { lastRev: 7 });
    saver.mark('busy', { lastSeq: 3, lastRev: 9 });
    await saver.close();
    assert.deepEqual(saves, [
      [{ id: 'busy', values: { lastSeq: 1 } }],
      [{ id: 'busy', values: { lastSeq: 5, lastRev: 9 } }],
    ]);
  });

  it('saves what is left at close, and nothing for a key forgotten before', async () => {
    const saves: Mark<string, 'seq'>[][] = [];
    const saver = new MaxSaver<string, 'seq'>({
      save: async (marks) => { saves.push(marks); },
      onError: () => assert.fail('no error expected'),
      intervalMs: 10000,
    });
    saver.mark('x', { seq: 1 });
    saver.mark('x', { seq: 2 });
    saver.mark('y', { seq: 4 });
    saver.forget('y');
    await saver.close();
    assert.deepEqual(saves, [[{ id: 'x', values: { seq: 1 } }], [{ id: 'x', values: { seq: 2 } }]]);
  });
});
