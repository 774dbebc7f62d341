/**
 * The person's own reactions when a message lists only the first reactors of
 * an emoji: the listed reactors decide when they can, the person's answered
 * adds and removes and the server's answers decide past them.
 */
import assert from 'node:assert/strict';
import { TIMELINE_LIMITS } from '@chat/contract';
import type { Reaction } from '@chat/contract';
import { OwnReactions } from '../src/logic/own-reactions';

const ME = '1001';
const listed = TIMELINE_LIMITS.reactorsListed;
const others = Array.from({ length: listed }, (_, i) => String(2000 + i));
const on = (id: string, ...reactions: Reaction[]) => ({ id, reactions });
const thumbs = (count: number, ups: string[]): Reaction => ({ emoji: '👍', count, ups });
const message = (count: number, ups: string[]) => on('m1', thumbs(count, ups));

describe('client: own reactions', () => {
  it('reads them from the listed reactors when the person is listed, or all reactors are', () => {
    const own = new OwnReactions(ME);
    assert.equal(own.has(message(2, ['2000', ME]), '👍'), true);
    assert.equal(own.has(message(2, ['2000', '2001']), '👍'), false);
    assert.equal(own.has(message(2, ['2000', ME]), '🎉'), false, 'another emoji');
    own.record(message(2, ['2000', '2001']), '👍', true);
    assert.equal(own.has(message(2, ['2000', '2001']), '👍'), false, 'a complete list wins over memory');
  });

  it(`knows the person's reaction past the first ${listed} reactors from the answered add, and its removal`, () => {
    const own = new OwnReactions(ME);
    const crowded = message(listed + 1, others);
    assert.equal(own.has(crowded, '👍'), false, 'nothing known yet');
    own.record(crowded, '👍', true);
    assert.equal(own.has(crowded, '👍'), true, 'the add was answered: the 11th reactor is the person');
    assert.deepEqual(own.unknown(crowded), []);
    assert.equal(own.has(on('m2', thumbs(listed + 1, others)), '👍'), false, 'only on that message');
    own.record(message(listed, others), '👍', false);
    assert.equal(own.has(message(listed, others), '👍'), false);
    assert.equal(own.has(crowded, '👍'), false, 'taken back');
  });

  it('asks again when the count moved (a change made elsewhere), answering from memory meanwhile', () => {
    const own = new OwnReactions(ME);
    own.record(message(listed + 1, others), '👍', true);
    const moved = message(listed + 2, others);
    assert.equal(own.has(moved, '👍'), true, 'still the last known');
    assert.deepEqual(own.unknown(moved), ['👍']);
    own.learn(moved, ['👍'], []);
    assert.equal(own.has(moved, '👍'), false, 'taken back elsewhere, as the server told');
    assert.deepEqual(own.unknown(moved), []);
  });

  it('tells which emoji the server must be asked about, and learns its answer without undoing a newer click', () => {
    const own = new OwnReactions(ME);
    const crowded = on(
      'm1',
      thumbs(listed + 2, others),
      { emoji: '🎉', count: listed + 1, ups: others },
      { emoji: '👀', count: 2, ups: ['2000', '2001'] },
      { emoji: '😮', count: listed + 1, ups: [ME, ...others.slice(1)] },
    );
    assert.deepEqual(own.unknown(crowded), ['👍', '🎉'], 'complete lists, and lists naming the person, are settled');
    assert.deepEqual(own.unknown({ id: null, reactions: crowded.reactions }), [], 'a message not stored yet');
    own.record(crowded, '🎉', false);
    own.learn(crowded, ['👍', '🎉'], ['👍', '🎉']);
    assert.equal(own.has(crowded, '👍'), true);
    assert.equal(own.has(crowded, '🎉'), false, 'the answered remove, at this count, is newer than the answer');
    assert.deepEqual(own.unknown(crowded), []);
  });

  it('remembers a bounded number of messages, forgetting the least recently changed', () => {
    const own = new OwnReactions(ME, 2);
    const crowdedOn = (id: string) => on(id, thumbs(listed + 1, others));
    own.record(crowdedOn('a'), '👍', true);
    own.record(crowdedOn('b'), '👍', true);
    own.record(on('a', { emoji: '🎉', count: 1, ups: [ME] }), '🎉', true);
    own.record(crowdedOn('c'), '👍', true);
    assert.deepEqual(['a', 'b', 'c'].map((id) => own.has(crowdedOn(id), '👍')), [true, false, true]);
  });
});
