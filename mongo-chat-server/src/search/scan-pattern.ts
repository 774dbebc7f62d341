/**
 * The pattern the `scan` engine hands to `$regex` (docs/search.md, Engines).
 * Every query word is escaped, so it matches only itself: a `.` or `(` typed
 * in a query is never an operator. The pattern has no nested or unbounded
 * repetition (whole words of `searchText`, where words are separated by one
 * space), so its cost is linear in the text on any regex engine.
 */

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;

/** `text` as a regular expression that matches exactly `text`. */
export const escapeRegex = (text: string): string => text.replace(REGEX_SPECIAL, '\\$&');

/** Matches a `searchText` that holds any of `terms` as a whole word. */
export const wordsPattern = (terms: readonly string[]): string => (
  `(?:^| )(?:${terms.map(escapeRegex).join('|')})(?: |$)`);

/** How many of `terms` the `searchText` holds as whole words. */
export function matchedTerms(searchText: string, terms: readonly string[]): number {
  const words = new Set(searchText.split(' '));
  return terms.filter((t) => words.has(t)).length;
}
