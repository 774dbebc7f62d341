/**
 * What a joining socket is sent, and from where: the recent buffer answers
 * only when it can be trusted (it reaches the group's last seq, starts where
 * the client asked, and has no hole); anything else is read from the data
 * service, which then primes the buffer. Identical requests in flight share
 * one read.
 */
import assert from 'node:assert/strict';
import { createHistory } from '../src/history/history';
import { createMemoryBuffer } from '../src/history/memory-buffer';
import type { RecentBuffer } from '../src/history/recent-buffer';
import { FakeHistorySource } from './support/fake-history-source';
import { payload, payloads, seqsOf } from './support/messages';

const PAGE = 3;
const CATCH_UP_LIMIT = 5;

function setup(stored: number, buffer: RecentBuffer = createMemoryBuffer(50)) {
  const data = new FakeHistorySource().fill('g', stored);
  const sources: string[] = [];
  const history = createHistory({
    buffer, data, pageSize: PAGE, catchUpLimit: CATCH_UP_LIMIT, onSource: (source) => sources.push(source),
  });
  return {
    data, buffer, history, sources,
  };
}

describe('chat server: history trust rules', () => {
  describe('the newest page (a join without since)', () => {
    it('reads an unknown group from the data service once, then from the buffer', async () => {
      const { history, data, sources } = setup(10);
      const first = await history.latest('g');
      assert.deepEqual(seqsOf(first.messages), [8, 9, 10]);
      assert.deepEqual([first.lastSeq, first.hasMore], [10, true]);
      const second = await history.latest('g');
      assert.deepEqual(second, first);
      assert.deepEqual(sources, ['data', 'buffer']);
      assert.equal(data.calls.length, 1);
    });

    it('answers a group known to be empty from the buffer', async () => {
      const { history, buffer, sources } = setup(0);
      await buffer.prime('g', [], 0);
      assert.deepEqual(await history.latest('g'), { messages: [], lastSeq: 0, hasMore: false });
      assert.deepEqual(sources, ['buffer']);
    });

    it('does not trust a buffer with a hole', async () => {
      const { history, buffer, sources } = setup(10);
      await buffer.prime('g', [payload('g', 8), payload('g', 10)], 10);
      assert.deepEqual(seqsOf((await history.latest('g')).messages), [8, 9, 10]);
      assert.deepEqual(sources, ['data']);
    });

    it('does not trust a buffer that stops short of the last seq it heard of', async () => {
      const { history, buffer, sources } = setup(10);
      await buffer.prime('g', payloads('g', 7, 9), 10);
      assert.deepEqual(seqsOf((await history.latest('g')).messages), [8, 9, 10]);
      assert.deepEqual(sources, ['data']);
    });

    it('trusts a short buffer that starts at seq 1', async () => {
      const { history, buffer, sources } = setup(2);
      await buffer.prime('g', payloads('g', 1, 2), 2);
      const page = await history.latest('g');
      assert.deepEqual([seqsOf(page.messages), page.hasMore], [[1, 2], false]);
      assert.deepEqual(sources, ['buffer']);
    });

    it('shares one data read among identical requests in flight', async () => {
      const { history, data } = setup(10);
      const pages = await Promise.all([history.latest('g'), history.latest('g'), history.latest('g')]);
      pages.forEach((page) => assert.deepEqual(seqsOf(page.messages), [8, 9, 10]));
      assert.equal(data.calls.length, 1);
    });
  });

  describe('catch-up (a join with since)', () => {
    it('answers a short gap from the buffer, and nothing missed with nothing', async () => {
      const { history, buffer, sources } = setup(10);
      await buffer.prime('g', payloads('g', 6, 10), 10);
      const gap = await history.since('g', 7);
      assert.deepEqual([seqsOf(gap.messages), gap.lastSeq, gap.hasMore], [[8, 9, 10], 10, false]);
      assert.deepEqual(await history.since('g', 10), { messages: [], lastSeq: 10, hasMore: false });
      assert.deepEqual(sources, ['buffer', 'buffer']);
    });

    it('reads a gap older than the buffer from the data service, capped, with hasMore', async () => {
      const { history, buffer, sources } = setup(20);
      await buffer.prime('g', payloads('g', 16, 20), 20);
      const gap = await history.since('g', 2);
      assert.deepEqual(seqsOf(gap.messages), [3, 4, 5, 6, 7]);
      assert.equal(gap.hasMore, true, 'more than the catch-up limit was missed: continue by cursor');
      assert.deepEqual(sources, ['data']);
    });

    it('does not trust a buffer with a hole in the gap', async () => {
      const { history, buffer, sources } = setup(10);
      await buffer.prime('g', [payload('g', 8), payload('g', 10)], 10);
      assert.deepEqual(seqsOf((await history.since('g', 7)).messages), [8, 9, 10]);
      assert.deepEqual(sources, ['data']);
    });
  });

  describe('scrolling back (before a seq)', () => {
    it('reads a page the buffer holds whole from the buffer, and any other from the data service', async () => {
      const { history, buffer, sources } = setup(10);
      await buffer.prime('g', payloads('g', 5, 10), 10);
      const held = await history.before('g', 9, 3);
      assert.deepEqual([seqsOf(held.messages), held.hasMore], [[6, 7, 8], true]);
      const older = await history.before('g', 6, 3);
      assert.deepEqual(seqsOf(older.messages), [3, 4, 5]);
      assert.deepEqual(sources, ['buffer', 'data']);
    });
  });
});
