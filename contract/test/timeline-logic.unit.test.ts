/** The pure timeline rules: mention parsing, reply excerpts, reaction summaries, change merging. */
import assert from 'node:assert/strict';
import {
  TIMELINE_LIMITS, coversFrom, excerptOf, mentionedNames, mentionSpans, mergeChanges, summarizeReactions,
} from '../src';

describe('timeline: mentions', () => {
  it('finds @up and @username, each once, in order', () => {
    assert.deepEqual(mentionedNames('@1002 hi @bob_b, and @1002 again (@carol.)'), ['1002', 'bob_b', 'carol']);
  });

  it('ignores e-mail addresses, a bare @ and names glued to a word', () => {
    assert.deepEqual(mentionedNames('mail bob@example.com or a@b, @ alone, x@y'), []);
  });

  it('places each occurrence of a mentioned name, as written', () => {
    assert.deepEqual(mentionSpans('hi @Bob and (@1002.) @Bob'), [
      { start: 3, name: 'Bob' }, { start: 13, name: '1002' }, { start: 21, name: 'Bob' },
    ]);
  });

  it('is bounded', () => {
    const many = Array.from({ length: 80 }, (_, i) => `@u${i}`).join(' ');
    assert.equal(mentionedNames(many).length, TIMELINE_LIMITS.mentionsPerMessage);
  });
});

describe('timeline: reply excerpts', () => {
  it('keeps a short text whole and cuts a long one by code points', () => {
    assert.equal(excerptOf('short'), 'short');
    const long = '\u{1F600}'.repeat(200);
    const cut = excerptOf(long);
    assert.equal([...cut].length, TIMELINE_LIMITS.excerptLength);
    assert.ok(cut.endsWith('…'));
  });
});

describe('timeline: reaction summary', () => {
  it('counts every reactor and lists the first ones, emoji in first-use order', () => {
    const reactions = [
      ...Array.from({ length: 25 }, (_, i) => ({ emoji: '👍', up: String(1000 + i) })),
      { emoji: '🎉', up: '1000' },
    ];
    const summary = summarizeReactions(reactions);
    assert.deepEqual(summary.map((r) => [r.emoji, r.count]), [['👍', 25], ['🎉', 1]]);
    assert.equal(summary[0]?.ups.length, TIMELINE_LIMITS.reactorsListed);
    assert.deepEqual(summary[0]?.ups.slice(0, 2), ['1000', '1001']);
  });

  it('holds at most the distinct emoji allowed', () => {
    const summary = summarizeReactions(Array.from({ length: 30 }, (_, i) => ({ emoji: `e${i}`, up: '1' })));
    assert.equal(summary.length, TIMELINE_LIMITS.reactionEmoji);
  });
});

describe('timeline: merging changes', () => {
  it('gives each message once, in its latest state, in rev order', () => {
    const merged = mergeChanges([
      { id: 'a', rev: 3, text: 'a1' },
      { id: 'b', rev: 4, text: 'b1' },
      { id: 'a', rev: 7, text: 'a3' },
      { id: 'a', rev: 5, text: 'a2' },
      { id: 'c', rev: 6, text: 'c1' },
      { id: 'd', text: 'no rev' },
    ]);
    assert.deepEqual(merged.map((m) => [m.id, m.rev, m.text]), [['b', 4, 'b1'], ['c', 6, 'c1'], ['a', 7, 'a3']]);
  });

  it('trusts a run of revisions only when it starts right after the asked one and has no hole', () => {
    assert.ok(coversFrom(4, [5, 6, 7]));
    assert.ok(coversFrom(4, []));
    assert.ok(!coversFrom(4, [6, 7]));
    assert.ok(!coversFrom(4, [5, 7]));
  });
});
