/**
 * A search result's snippet as pieces of text, each marked or not: the
 * server gives plain text and `[start, end)` ranges in code points, and the
 * view turns marked pieces into <mark> elements holding text (never HTML).
 */
import type { SearchSnippet } from '@chat/contract';

export interface SnippetPart { text: string; marked: boolean }

export function snippetParts(snippet: SearchSnippet): SnippetPart[] {
  const points = Array.from(snippet.text);
  const parts: SnippetPart[] = [];
  let at = 0;
  const push = (end: number, marked: boolean) => {
    if (end > at) parts.push({ text: points.slice(at, end).join(''), marked });
    at = Math.max(at, end);
  };
  [...snippet.marks].sort((a, b) => a.start - b.start).forEach((mark) => {
    const start = Math.min(Math.max(mark.start, at), points.length);
    push(start, false);
    push(Math.min(mark.end, points.length), true);
  });
  push(points.length, false);
  if (snippet.clippedStart) parts.unshift({ text: '…', marked: false });
  if (snippet.clippedEnd) parts.push({ text: '…', marked: false });
  return parts;
}
