/**
 * How text is compared when searching (docs/search.md): one normal form for
 * stored messages and for queries, so "Olá" and "OLA" and "ola" are the same
 * word. Pure and browser-safe: the data service stores `searchTextOf(message)`
 * with every message (and again on every edit), the contract checks a query's
 * words with `searchTermsOf`, and snippets are marked with `wordsOf`.
 */

/** Letters, digits and the marks that belong to them: what a word is made of. */
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
const WORDS = /[\p{L}\p{N}\p{M}]+/gu;
const NONSPACING_MARKS = /\p{Mn}/gu;

/**
 * Lower case, compatibility decomposition (NFKD: "é" becomes "e" + an accent,
 * "ﬁ" becomes "fi"), accents and other non-spacing marks removed.
 */
export const normaliseText = (text: string): string => (
  text.toLowerCase().normalize('NFKD').replace(NONSPACING_MARKS, ''));

/** The normalised words of `text`, in order (repeats kept). */
export const normalisedWords = (text: string): string[] => normaliseText(text).match(WORDS) ?? [];

/**
 * The copy of a message's text that search reads: its normalised words, each
 * separated by one space ("Olá, Mundo!" → "ola mundo"). Set when a message is
 * stored and whenever its text changes; removed when the message is deleted.
 */
export const searchTextOf = (text: string): string => normalisedWords(text).join(' ');

/** A query's distinct normalised words, in the order first written. */
export const searchTermsOf = (query: string): string[] => [...new Set(normalisedWords(query))];

export interface WordSpan {
  /** Code point offsets in the original text, `[start, end)`. */
  start: number;
  end: number;
  /** The normalised words this span reads as (usually one). */
  terms: string[];
}

/** The words of `text` where they stand in it, offsets in code points. */
export function wordsOf(text: string): WordSpan[] {
  const spans: WordSpan[] = [];
  let start = -1;
  let word = '';
  let at = 0;
  const close = () => {
    if (start >= 0) spans.push({ start, end: at, terms: normalisedWords(word) });
    start = -1;
    word = '';
  };
  for (const ch of text) {
    if (WORD_CHAR.test(ch)) {
      if (start < 0) start = at;
      word += ch;
    } else {
      close();
    }
    at += 1;
  }
  close();
  return spans;
}
