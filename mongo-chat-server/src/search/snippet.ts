/**
 * A search result's snippet (docs/search.md, Snippets): a window of the
 * message as it reads now around its first matching word, with every matching
 * word in the window given as a code point range. Plain text and ranges, never
 * markup, so a client renders it without any chance of HTML injection.
 */
import { wordsOf } from '@chat/shared';
import type { SearchSnippet } from '@chat/shared';

export const SNIPPET_WIDTH = 160;
/** Code points kept before the first match when the window has to start inside the text. */
export const SNIPPET_LEAD = 40;

export function snippetOf(text: string, terms: readonly string[], width = SNIPPET_WIDTH): SearchSnippet {
  const wanted = new Set(terms);
  const points = Array.from(text);
  const matches = wordsOf(text).filter((word) => word.terms.some((t) => wanted.has(t)));
  const first = matches[0];
  let start = first ? Math.max(0, first.start - SNIPPET_LEAD) : 0;
  const end = Math.min(points.length, start + width);
  start = Math.max(0, Math.min(start, end - width));
  const marks = matches
    .filter((m) => m.start >= start && m.end <= end)
    .map((m) => ({ start: m.start - start, end: m.end - start }));
  return {
    text: points.slice(start, end).join(''),
    marks,
    clippedStart: start > 0,
    clippedEnd: end < points.length,
  };
}
