/**
 * A group's messages as they change, as the message list shows them (the merging
 * itself is the protocol client's, tested there); and `@` mentions for
 * highlighting and suggestions.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mentionedNames, TIMELINE_LIMITS } from '@chat/contract';
import type { ChatMessagePayload } from '@chat/contract';
import { messageAt, ROOM } from '@chat/protocol-client/test/fixtures';
import { Timeline } from '../src/logic/timeline';
import {
  mentionAtCaret, mentionClassifier, splitMentions, suggestMembers,
} from '../src/logic/mentions';

const msg = (seq: number, extra: Partial<ChatMessagePayload> = {}) => messageAt(seq, { rev: seq, ...extra });

describe('client: timeline changes as shown', () => {
  it('keeps a deleted message in its place, without its text, reactions or mentions', () => {
    const timeline = new Timeline(ROOM);
    timeline.merge([msg(1), msg(2, { reactions: [{ emoji: '👍', count: 1, ups: ['1002'] }], mentions: ['1002'] }), msg(3)]);
    timeline.applyChanges([msg(2, {
      rev: 10, message: '', deleted: true, deletedAt: '2025-01-01T00:00:00.000Z',
    })]);
    const items = timeline.items();
    assert.deepEqual(items.map((i) => i.seq), [1, 2, 3]);
    const tombstone = items[1];
    assert.equal(tombstone?.deleted, true);
    assert.equal(tombstone?.message, '');
    assert.deepEqual(tombstone?.reactions, []);
    assert.deepEqual(tombstone?.mentions, []);
    assert.equal(timeline.rev, 10);
  });

  it('keeps the quote of a reply sent from here once it is stored', () => {
    const timeline = new Timeline(ROOM);
    timeline.merge([msg(1)]);
    const quote = {
      id: 'id-1', seq: 1, up: '1001', excerpt: 'message 1',
    };
    timeline.addPending({
      clientId: 'c-2', up: '1002', message: 'answer', timestamp: new Date().toISOString(), replyTo: quote,
    });
    assert.deepEqual(timeline.items()[1]?.replyTo, quote);
    timeline.acknowledge('c-2', { id: 'id-2', seq: 2, timestamp: '2025-01-01T00:00:00.000Z' });
    assert.deepEqual(timeline.items()[1]?.replyTo, quote);
    assert.equal(timeline.items()[1]?.status, 'sent');
  });
});

describe('client: mentions', () => {
  const me = { up: '1001', username: 'ana' };
  const members = [me, { up: '1002', username: 'rui' }, { up: '1003', username: 'eva.m' }];
  const classify = mentionClassifier(me, members);
  const marks = (text: string) => splitMentions(text, classify)
    .flatMap((s) => (s.kind === 'mention' ? [`${s.text}:${s.target}`] : []));

  it('finds members by user number or username, and the person themself', () => {
    assert.deepEqual(marks('@rui and @1003, ask @ana'), ['@rui:member', '@1003:member', '@ana:me']);
    assert.deepEqual(marks('hi @1001!'), ['@1001:me']);
    assert.deepEqual(marks('thanks @eva.m.'), ['@eva.m:member'], 'a trailing dot ends the sentence');
    assert.deepEqual(marks('@RUI'), [], 'usernames as written: the server finds no member named RUI');
  });

  it('highlights exactly the names the server finds mentioned (the contract\'s rule)', () => {
    const everyone = () => 'member' as const;
    const highlighted = (text: string) => [...new Set(splitMentions(text, everyone)
      .flatMap((s) => (s.kind === 'mention' ? [s.name] : [])))];
    const many = Array.from({ length: TIMELINE_LIMITS.mentionsPerMessage + 30 }, (_, i) => `@u${i}`).join(' ');
    assert.deepEqual(highlighted(many), mentionedNames(many), 'no more names than the server stores');
    assert.deepEqual(highlighted(`${many} @u0`), mentionedNames(many), 'a name already counted is highlighted again');
    const piece = fc.constantFrom('@', 'a', 'B', '1', '.', '-', '_', ' ', 'x@', '@@', 'ü', '\n');
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
      const text = parts.join('');
      assert.deepEqual(highlighted(text), mentionedNames(text));
      assert.equal(splitMentions(text, everyone).map((s) => s.text).join(''), text);
    }));
  });

  it('leaves e-mail addresses, words and non-members alone, and keeps every character of the text', () => {
    const text = 'mail rui@example.com, x@rui, @nobody and @9999 but @rui';
    assert.deepEqual(marks(text), ['@rui:member']);
    assert.equal(splitMentions(text, classify).map((s) => s.text).join(''), text);
  });

  it('knows the @word being typed at the caret', () => {
    assert.deepEqual(mentionAtCaret('hello @ru', 9), { start: 6, query: 'ru' });
    assert.deepEqual(mentionAtCaret('@', 1), { start: 0, query: '' });
    assert.equal(mentionAtCaret('mail a@b', 8), null);
    assert.equal(mentionAtCaret('hello @rui there', 16), null);
  });

  it('suggests members by number, username or name', () => {
    const people = [
      { up: '1002', username: 'rui', name: 'Rui Costa' },
      { up: '1003', username: 'eva', name: 'Eva Maria' },
      { up: '2001', username: 'max', name: 'Maximilian Rui' },
    ];
    assert.deepEqual(suggestMembers('ru', people).map((p) => p.up), ['1002', '2001']);
    assert.deepEqual(suggestMembers('100', people).map((p) => p.up), ['1003', '1002'], 'by username');
    assert.deepEqual(suggestMembers('', people).map((p) => p.up), ['1003', '2001', '1002']);
  });
});
