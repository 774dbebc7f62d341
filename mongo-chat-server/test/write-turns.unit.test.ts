/** Writes taking turns: one at a time, foreground and background alternating while both wait. */
import assert from 'node:assert/strict';
import { WriteTurns } from '../src/db/write-turns';

const tick = () => new Promise<void>((resolve) => { setImmediate(resolve); });

describe('WriteTurns (unit)', () => {
  it('runs one write at a time, alternating foreground and background while both wait', async () => {
    const turns = new WriteTurns();
    const order: string[] = [];
    let running = 0;
    const write = (name: string) => async () => {
      running += 1;
      assert.equal(running, 1, 'one write at a time');
      order.push(name);
      await tick();
      running -= 1;
    };
    await Promise.all([
      turns.foreground(write('send 1')),
      turns.background(write('hint 1')),
      turns.background(write('hint 2')),
      turns.foreground(write('send 2')),
      turns.foreground(write('send 3')),
      turns.foreground(write('send 4')),
    ]);
    assert.deepEqual(order, ['send 1', 'hint 1', 'send 2', 'hint 2', 'send 3', 'send 4']);
  });

  it('hands the turn on after a write that fails', async () => {
    const turns = new WriteTurns();
    const failed = turns.foreground(async () => { throw new Error('database away'); });
    const after = turns.background(async () => 'saved');
    await assert.rejects(failed, /database away/);
    assert.equal(await after, 'saved');
  });
});
