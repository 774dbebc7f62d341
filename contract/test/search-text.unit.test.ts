import assert from 'node:assert/strict';
import type { z } from 'zod';
import {
  LIMITS, normaliseText, restContract, searchTermsOf, searchTextOf, wordsOf,
} from '../src';

/** The parsed value, or the issue messages joined. */
const parse = (schema: z.ZodType, value: unknown): unknown => {
  const result = schema.safeParse(value);
  return result.success ? result.data : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
};

describe('search text normalisation', () => {
  it('drops case and accents, so Portuguese and English words meet', () => {
    assert.equal(searchTextOf('Olá, MUNDO! Ação é coração.'), 'ola mundo acao e coracao');
    assert.equal(searchTextOf('ola'), searchTextOf('Olá'));
    assert.equal(searchTextOf('ÓLA'), 'ola');
    assert.equal(normaliseText('Ç'), 'c');
  });

  it('reads compatibility forms as their plain letters and keeps non-Latin words', () => {
    assert.equal(searchTextOf('ﬁx ＡＢＣ'), 'fix abc');
    assert.equal(searchTextOf('Привет мир'), 'привет мир');
    assert.equal(searchTextOf('👋 hi 🎉'), 'hi');
  });

  it('separates words at anything but letters and digits', () => {
    assert.equal(searchTextOf('a.b(c)*d+e?  [f]\\g'), 'a b c d e f g');
    assert.equal(searchTextOf('...'), '');
  });

  it('gives a query its distinct words in order', () => {
    assert.deepEqual(searchTermsOf('Olá ola OLÁ mundo'), ['ola', 'mundo']);
    assert.deepEqual(searchTermsOf('(.*)+'), []);
  });

  it('finds the words of a text where they stand, in code points', () => {
    const words = wordsOf('😀 Olá, mundo');
    assert.deepEqual(words, [
      { start: 2, end: 5, terms: ['ola'] },
      { start: 7, end: 12, terms: ['mundo'] },
    ]);
  });
});

describe('search query limits', () => {
  const { query } = restContract.chatServer.search;

  it('accepts a query of words and fills in the page size', () => {
    assert.deepEqual(parse(query, { q: 'olá' }), { q: 'olá', limit: 20 });
  });

  it('refuses a query with no word, too many words, or too long, with a clear message', () => {
    assert.equal(parse(query, { q: '.*+?' }), 'q: must contain at least one word (letters or digits)');
    const many = Array.from({ length: LIMITS.searchTerms + 1 }, (_, i) => `w${i}`).join(' ');
    assert.equal(parse(query, { q: many }), 'q: must contain at most 10 distinct words');
    assert.match(String(parse(query, { q: 'a'.repeat(LIMITS.searchQuery + 1) })), /^q: must be 1 to 200 characters/);
    assert.match(String(parse(query, { q: 'ok', limit: String(LIMITS.searchPage + 1) })), /^limit: /);
    assert.match(String(parse(query, { q: ['a', 'b'] })), /^q: /);
  });

  it('counts the query length in code points', () => {
    const q = '😀'.repeat(LIMITS.searchQuery - 1).concat('a');
    assert.deepEqual(parse(query, { q }), { q, limit: 20 });
  });
});
