/**
 * The recent buffer's rules, one suite for every flavour (memory, Redis): it
 * knows nothing of a group until told, keeps the newest `size` messages in seq
 * order whatever order they came in, never lets the group's last seq go back,
 * and forgets a group on request.
 */
import assert from 'node:assert/strict';
import type { RecentBuffer } from '../../src/history/recent-buffer';
import { payload, payloads, seqsOf } from './messages';

export type BufferFactory = (size: number) => Promise<{ buffer: RecentBuffer; cleanup: () => Promise<void> }>;

export function recentBufferSuite(flavour: string, make: BufferFactory): void {
  describe(`recent buffer (${flavour})`, () => {
    let buffer: RecentBuffer;
    let cleanup: () => Promise<void>;
    beforeEach(async () => { ({ buffer, cleanup } = await make(5)); });
    afterEach(() => cleanup());

    it('knows nothing of a group it was never told about', async () => {
      assert.equal(await buffer.latest('g', 3), null);
      assert.equal(await buffer.after('g', 0, 3), null);
    });

    it('remembers a group known to be empty', async () => {
      await buffer.prime('g', [], 0);
      assert.deepEqual(await buffer.latest('g', 3), { lastSeq: 0, items: [] });
    });

    it('keeps the newest messages in seq order, whatever order they were appended in', async () => {
      await buffer.prime('g', payloads('g', 1, 2), 2);
      await buffer.append([payload('g', 4), payload('other', 1), payload('g', 3)]);
      const latest = await buffer.latest('g', 3);
      assert.deepEqual(seqsOf(latest?.items), [2, 3, 4]);
      assert.equal(latest?.lastSeq, 4);
      assert.deepEqual(latest?.items[0], payload('g', 2), 'a message comes back as it went in');
      assert.deepEqual(seqsOf((await buffer.after('g', 1, 2))?.items), [2, 3]);
      assert.deepEqual(seqsOf((await buffer.latest('other', 3))?.items), [1]);
    });

    it('holds at most its size per group, dropping the oldest', async () => {
      await buffer.prime('g', payloads('g', 1, 8), 8);
      assert.deepEqual(seqsOf((await buffer.latest('g', 10))?.items), [4, 5, 6, 7, 8]);
      assert.deepEqual(seqsOf((await buffer.after('g', 0, 10))?.items), [4, 5, 6, 7, 8]);
    });

    it('never moves the last seq back, and stores a message once however often it is appended', async () => {
      await buffer.prime('g', payloads('g', 1, 3), 9);
      await buffer.prime('g', payloads('g', 1, 2), 2);
      await buffer.append([payload('g', 3)]);
      const latest = await buffer.latest('g', 5);
      assert.equal(latest?.lastSeq, 9, 'the buffer heard of seq 9 and does not forget it');
      assert.deepEqual(seqsOf(latest?.items), [1, 2, 3]);
    });

    it('forgets a group on request', async () => {
      await buffer.prime('g', payloads('g', 1, 2), 2);
      await buffer.forget('g');
      assert.equal(await buffer.latest('g', 3), null);
    });
  });
}
