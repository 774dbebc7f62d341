import assert from 'node:assert/strict';
import { AppError } from '@chat/shared';
import { createSearchGate } from '../src/search/search-gate';

describe('search gate: one search at a time per user', () => {
  it('refuses a second search of the same user while the first runs, and takes the next one after', async () => {
    const gate = createSearchGate();
    let finish: (value: string) => void = () => undefined;
    const first = gate.run('1', () => new Promise<string>((resolve) => { finish = resolve; }));
    await assert.rejects(gate.run('1', async () => 'second'), (err: unknown) => err instanceof AppError && err.code === 'RATE_LIMITED');
    assert.equal(await gate.run('2', async () => 'other user'), 'other user');
    finish('first');
    assert.equal(await first, 'first');
    assert.equal(await gate.run('1', async () => 'later'), 'later');
  });

  it('frees the user when a search fails', async () => {
    const gate = createSearchGate();
    await assert.rejects(gate.run('1', async () => { throw new AppError('UNAVAILABLE', 'down'); }));
    assert.equal(await gate.run('1', async () => 'again'), 'again');
  });
});
