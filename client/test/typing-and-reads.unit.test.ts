/** Who is typing, how often typing is announced, and read positions that never go back. */
import assert from 'node:assert/strict';
import { ReadReceipts, unreadCount } from '../src/logic/reads';
import { TypingThrottle } from '../src/logic/typing-throttle';
import { TypingTracker } from '../src/logic/typing';

describe('client: typing and read positions', () => {
  it('shows someone typing for a few seconds after their last typing event, or until they send', () => {
    const tracker = new TypingTracker(4000);
    tracker.seen('g', 'ana', 1000);
    tracker.seen('g', 'rui', 3000);
    tracker.seen('h', 'eva', 1000);
    assert.deepEqual(tracker.active('g', 2000), ['ana', 'rui']);
    assert.equal(tracker.nextExpiry(2000), 5000);
    assert.deepEqual(tracker.active('g', 5500), ['rui']);
    tracker.stopped('g', 'rui');
    assert.deepEqual(tracker.active('g', 5500), []);
    assert.equal(tracker.nextExpiry(8000), null);
  });

  it('announces typing at most once per interval per group, and again right after a send', () => {
    const throttle = new TypingThrottle(2500);
    assert.equal(throttle.shouldSend('g', 0), true);
    assert.equal(throttle.shouldSend('g', 1000), false);
    assert.equal(throttle.shouldSend('h', 1000), true);
    assert.equal(throttle.shouldSend('g', 2500), true);
    throttle.reset('g');
    assert.equal(throttle.shouldSend('g', 2600), true);
  });

  it('keeps the furthest read position of each member', () => {
    const reads = new ReadReceipts();
    assert.equal(reads.record('g', 'ana', 5), true);
    assert.equal(reads.record('g', 'ana', 3), false);
    reads.record('g', 'rui', 2);
    reads.record('g', 'me', 9);
    assert.deepEqual(reads.readersOf('g', 4, 'me'), ['ana']);
    assert.deepEqual(reads.readersOf('g', 2, 'me'), ['ana', 'rui']);
    reads.forget('g');
    assert.deepEqual(reads.readersOf('g', 1, 'me'), []);
    assert.equal(unreadCount(10, 7), 3);
    assert.equal(unreadCount(3, 7), 0);
  });
});
