import assert from 'node:assert/strict';
import { MemberCache } from '../src/groups/member-cache';
import type { Marker } from '../src/db/marker-watch';

describe('data service: member cache', () => {
  it('keeps what was read and forgets it after its time', async () => {
    const cache = new MemberCache({ ttlMs: 30 });
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
    const cache = new MemberCache({ maxEntries: 2 });
    cache.add(['a', 'b', 'c'], cache.mark());
    assert.equal(cache.has('a'), false);
    assert.equal(cache.has('b'), true);
    assert.equal(cache.has('c'), true);
  });

  describe('removals made through other replicas (the marker)', () => {
    /** An in-memory marker: its token, its reads counted, reads that fail on demand. */
    const fakeMarker = () => {
      const state = {
        token: null as string | null, reads: 0, failing: false, delayMs: 0,
      };
      const marker: Marker = {
        read: async () => {
          state.reads += 1;
          if (state.delayMs > 0) await new Promise((resolve) => { setTimeout(resolve, state.delayMs); });
          if (state.failing) throw new Error('database down');
          return state.token;
        },
        change: async () => { state.token = `t${Math.random()}`; },
      };
      return { state, marker };
    };
    const sleep = (ms: number) => new Promise((resolve) => { setTimeout(resolve, ms); });

    it('trusts a fresh marker without reading it, and forgets everything once it changed', async () => {
      const { state, marker } = fakeMarker();
      const cache = new MemberCache({ marker, freshMs: 300, staleMs: 600 });
      await cache.current();
      cache.add(['g1:2001', 'g2:2002'], cache.mark());
      const { reads } = state;
      await cache.current();
      assert.equal(state.reads, reads, 'a fresh read is trusted as is');
      await marker.change(); // another replica removed someone
      await sleep(610);
      await cache.current();
      assert.equal(cache.has('g1:2001'), false);
      assert.equal(cache.has('g2:2002'), false);
      cache.add(['g1:2001'], cache.mark());
      await sleep(610);
      await cache.current();
      assert.equal(cache.has('g1:2001'), true, 'an unchanged marker keeps what is cached');
    });

    it('reads again in the background between fresh and stale, and waits for the read past stale', async () => {
      const { state, marker } = fakeMarker();
      const cache = new MemberCache({ marker, freshMs: 20, staleMs: 1000 });
      await cache.current();
      cache.add(['g1:2001'], cache.mark());
      await marker.change();
      state.delayMs = 100;
      await sleep(30);
      await cache.current(); // answers at once: the read goes on behind it
      assert.equal(cache.has('g1:2001'), true);
      while (cache.has('g1:2001')) await sleep(5);
      state.failing = true;
      await sleep(1010);
      await assert.rejects(cache.current(), /database down/, 'a stale marker that cannot be read trusts nothing');
    });

    it('does not keep an answer read while the marker changed', async () => {
      const { marker } = fakeMarker();
      const cache = new MemberCache({ marker, freshMs: 0, staleMs: 0 });
      await cache.current();
      const mark = cache.mark();
      await marker.change();
      await cache.current();
      cache.add(['g1:2001'], mark);
      assert.equal(cache.has('g1:2001'), false);
    });
  });
});
