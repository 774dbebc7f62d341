/** The pure parts of search: snippets and their marks, the escaped scan pattern, the cursor. */
import assert from 'node:assert/strict';
import { AppError, searchTermsOf, searchTextOf } from '@chat/shared';
import { decodeCursor, encodeCursor } from '../src/search/cursor';
import { escapeRegex, matchedTerms, wordsPattern } from '../src/search/scan-pattern';
import { SNIPPET_LEAD, SNIPPET_WIDTH, snippetOf } from '../src/search/snippet';

/** The marked parts of a snippet, as a reader would see them. */
const marked = (s: ReturnType<typeof snippetOf>): string[] => {
  const points = Array.from(s.text);
  return s.marks.map((m) => points.slice(m.start, m.end).join(''));
};

describe('search snippets', () => {
  it('marks every matching word as it is written, accents and case kept', () => {
    const s = snippetOf('Olá! Disse OLA e depois ola.', searchTermsOf('ola'));
    assert.equal(s.text, 'Olá! Disse OLA e depois ola.');
    assert.deepEqual(marked(s), ['Olá', 'OLA', 'ola']);
    assert.equal(s.clippedStart, false);
    assert.equal(s.clippedEnd, false);
  });

  it('counts mark offsets in code points, after an emoji too', () => {
    const s = snippetOf('🎉🎉 café', ['cafe']);
    assert.deepEqual(s.marks, [{ start: 3, end: 7 }]);
    assert.deepEqual(marked(s), ['café']);
  });

  it('cuts a window around the first match of a long message, and says so', () => {
    const text = `${'a '.repeat(300)}needle ${'b '.repeat(300)}`;
    const s = snippetOf(text, ['needle']);
    assert.equal(Array.from(s.text).length, SNIPPET_WIDTH);
    assert.deepEqual(marked(s), ['needle']);
    assert.equal(s.marks[0]?.start, SNIPPET_LEAD);
    assert.equal(s.clippedStart, true);
    assert.equal(s.clippedEnd, true);
  });

  it('leaves markup in the text as text: the marks are ranges, not tags', () => {
    const s = snippetOf('<b>olá</b> <script>x</script>', ['ola', 'script']);
    assert.equal(s.text, '<b>olá</b> <script>x</script>');
    assert.deepEqual(marked(s), ['olá', 'script', 'script']);
  });

  it('marks only whole words', () => {
    assert.deepEqual(marked(snippetOf('olaf ola olas', ['ola'])), ['ola']);
  });
});

describe('the scan pattern', () => {
  it('escapes every regular expression operator', () => {
    const special = '\\^$.*+?()[]{}|/-';
    const escaped = escapeRegex(special);
    assert.equal(new RegExp(`^${escaped}$`).test(special), true);
    assert.equal(new RegExp(escapeRegex('a.c')).test('abc'), false);
  });

  it('matches whole words of searchText only', () => {
    const re = new RegExp(wordsPattern(['ola', 'mundo']));
    assert.equal(re.test(searchTextOf('Olá, mundo')), true);
    assert.equal(re.test(searchTextOf('MUNDO')), true);
    assert.equal(re.test(searchTextOf('olaf mundial')), false);
  });

  it('stays fast on a long text that almost matches (no backtracking blow-up)', () => {
    // Linear in the text: a backtracking blow-up here would not end within the test timeout.
    const re = new RegExp(wordsPattern(['a'.repeat(50), 'aa']));
    assert.equal(re.test(`${'a'.repeat(100000)}b`), false);
  });

  it('counts the distinct query words a message holds', () => {
    assert.equal(matchedTerms('ola mundo ola', ['ola', 'mundo', 'x']), 2);
  });
});

describe('the search cursor', () => {
  it('round-trips', () => {
    const cursor = {
      e: 'scan' as const, top: 'a'.repeat(24), rank: 2, id: 'b'.repeat(24),
    };
    assert.deepEqual(decodeCursor(encodeCursor(cursor)), cursor);
  });

  it('refuses anything it did not make with VALIDATION_FAILED', () => {
    for (const bad of ['x', Buffer.from('{"e":"scan"}').toString('base64url'), Buffer.from('{"e":"text","score":1,"id":{"$gt":""}}').toString('base64url')]) {
      assert.throws(() => decodeCursor(bad), (err: unknown) => err instanceof AppError && err.code === 'VALIDATION_FAILED');
    }
  });
});
