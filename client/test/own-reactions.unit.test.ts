/**
 * The person's own reactions when a message lists only the first reactors of
 * an emoji: the listed reactors decide when they can, the person's answered
 * adds and removes decide past them.
 */
import assert from 'node:assert/strict';
import { TIMELINE_LIMITS } from '@chat/contract';
import { OwnReactions } from '../src/logic/own-reactions';

const ME = '1001';
const listed = TIMELINE_LIMITS.reactorsListed;
const others = Array.from({ length: listed }, (_, i) => String(2000 + i));
const message = (count: number, ups: string[]) => ({ id: 'm1', reactions: [{ emoji: '👍', count, ups }] });

describe('client: own reactions', () => {
  it('reads them from the listed reactors when the person is listed, or all reactors are', () => {
    const own = new OwnReactions(ME);
    assert.equal(own.has(message(2, ['2000', ME]), '👍'), true);
    assert.equal(own.has(message(2, ['2000', '2001']), '👍'), false);
    assert.equal(own.has(message(2, ['2000', ME]), '🎉'), false, 'another emoji');
    own.record('m1', '👍', true);
    assert.equal(own.has(message(2, ['2000', '2001']), '👍'), false, 'a complete list wins over memory');
  });

  it(`knows the person's reaction past the first ${listed} reactors from the answered add, and its removal`, () => {
    const own = new OwnReactions(ME);
    const crowded = message(listed + 1, others);
    assert.equal(own.has(crowded, '👍'), false, 'nothing known yet');
    own.record('m1', '👍', true);
    assert.equal(own.has(crowded, '👍'), true, 'the add was answered: the 11th reactor is the person');
    assert.equal(own.has({ id: 'm2', reactions: crowded.reactions }, '👍'), false, 'only on that message');
    own.record('m1', '👍', false);
    assert.equal(own.has(message(listed, others), '👍'), false);
    assert.equal(own.has(crowded, '👍'), false, 'taken back');
  });

  it('remembers a bounded number of messages, forgetting the least recently changed', () => {
    const own = new OwnReactions(ME, 2);
    const crowdedOn = (id: string) => ({ id, reactions: message(listed + 1, others).reactions });
    own.record('a', '👍', true);
    own.record('b', '👍', true);
    own.record('a', '🎉', true);
    own.record('c', '👍', true);
    assert.deepEqual(['a', 'b', 'c'].map((id) => own.has(crowdedOn(id), '👍')), [true, false, true]);
  });
});
