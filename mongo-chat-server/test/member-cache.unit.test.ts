import assert from 'node:assert/strict';
import { MemberCache } from '../src/groups/member-cache';

describe('data service: member cache', () => {
  it('keeps what was read and forgets it after its time', async () => {
    const cache = new MemberCache(30);
    cache.add(['g1:2001', 'g1:2002'], cache.mark());
    assert.equal(cache.has('g1:2001'), true);
    assert.equal(cache.has('g1:2002'), true);
    assert.equal(cache.has('g1:2003'), false);
    await new Promise((resolve) => { setTimeout(resolve, 40); });
    assert.equal(cache.has('g1:2001'), false);
  });

  it('does not keep an answer read before a removal made meanwhile', () => {
    const cache = new MemberCache();
    const mark = cache.mark();
    // The read is in flight when the member is removed: what it returns is stale.
    cache.revoke('g1:2001');
    cache.add(['g1:2001'], mark);
    assert.equal(cache.has('g1:2001'), false);
    cache.add(['g1:2001'], cache.mark());
    assert.equal(cache.has('g1:2001'), true);
  });

  it('revokes every member of a deleted group and nobody else', () => {
    const cache = new MemberCache();
    cache.add(['g1:2001', 'g1:2002', 'g10:2001'], cache.mark());
    cache.revokeGroup('g1');
    assert.equal(cache.has('g1:2001'), false);
    assert.equal(cache.has('g1:2002'), false);
    assert.equal(cache.has('g10:2001'), true);
  });

  it('stays within its size by dropping the oldest entries', () => {
    const cache = new MemberCache(60000, 2);
    cache.add(['a', 'b', 'c'], cache.mark());
    assert.equal(cache.has('a'), false);
    assert.equal(cache.has('b'), true);
    assert.equal(cache.has('c'), true);
  });
});
