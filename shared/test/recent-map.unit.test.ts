import assert from 'node:assert/strict';
import { RecentMap } from '../src/kit/recent-map';

describe('RecentMap (unit)', () => {
  it('keeps at most its bound, forgetting the least recently written key', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 3); // a is now the newest
    map.set('c', 4);
    assert.equal(map.get('b'), undefined, 'b was written least recently');
    assert.equal(map.get('a'), 3);
    assert.equal(map.get('c'), 4);
    assert.equal(map.size, 2);
  });

  it('forgets a deleted key and refuses a bound below one', () => {
    const map = new RecentMap<string, number>(5);
    map.set('a', 1);
    map.delete('a');
    assert.equal(map.get('a'), undefined);
    assert.throws(() => new RecentMap<string, number>(0), /at least 1/);
  });
});
