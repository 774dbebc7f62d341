/** Text helpers for rendering: everything here returns plain strings, never markup. */

export interface TextRun { kind: 'text'; text: string }
export type Segment = TextRun | { kind: 'link'; text: string; href: string };

/** Adds plain text to `segments`, joined to a text run just before it, so runs never split. */
export function appendText<S extends { kind: string }>(segments: Array<S | TextRun>, value: string): void {
  if (value === '') return;
  const last = segments[segments.length - 1];
  if (last?.kind === 'text') (last as TextRun).text += value;
  else segments.push({ kind: 'text', text: value });
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

/** Only http(s) URLs that parse become links; the anchor text is the exact text typed. */
const safeHref = (candidate: string): string | null => {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
};

/**
 * Splits a message into text and web links. Rendered with text nodes and
 * `<a href>` only, so markup in a message stays text; links are never fetched.
 */
export function splitLinks(text: string): Segment[] {
  const segments: Segment[] = [];
  let cursor = 0;
  const pushText = (value: string) => appendText(segments, value);
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index;
    const raw = match[0];
    const trimmed = raw.replace(TRAILING_PUNCTUATION, '');
    const href = safeHref(trimmed);
    pushText(text.slice(cursor, start));
    if (href && trimmed.length > 'https://'.length - 1) {
      segments.push({ kind: 'link', text: trimmed, href });
      pushText(raw.slice(trimmed.length));
    } else {
      pushText(raw);
    }
    cursor = start + raw.length;
  }
  pushText(text.slice(cursor));
  return segments;
}

/** One or two letters for an avatar. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = [...(words[0] as string)][0] ?? '';
  const second = words.length > 1 ? [...(words[words.length - 1] as string)][0] ?? '' : '';
  return (first + second).toUpperCase();
}

/** A one-line preview: whitespace collapsed, cut at `max` characters. */
export function preview(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

const sameDay = (a: Date, b: Date) => a.getFullYear() === b.getFullYear()
  && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** "14:05" today, "Mon 14:05" this week, "3 Mar 14:05" this year, "3 Mar 2024" before. */
export function formatTime(iso: string, options: { now?: Date; locale?: string } = {}): string {
  const { now = new Date(), locale } = options;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const time = date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (sameDay(date, now)) return time;
  const ageDays = (now.getTime() - date.getTime()) / 86400000;
  if (ageDays >= 0 && ageDays < 6) return `${date.toLocaleDateString(locale, { weekday: 'short' })} ${time}`;
  if (date.getFullYear() === now.getFullYear()) {
    return `${date.toLocaleDateString(locale, { day: 'numeric', month: 'short' })} ${time}`;
  }
  return date.toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
}

const UP_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** "1001, 1002 1003" → the distinct user numbers, and what is not one. */
export function parseUps(text: string): { ups: string[]; invalid: string[] } {
  const parts = text.split(/[\s,;]+/).map((p) => p.trim()).filter(Boolean);
  const ups = [...new Set(parts.filter((p) => UP_PATTERN.test(p)))];
  const invalid = [...new Set(parts.filter((p) => !UP_PATTERN.test(p)))];
  return { ups, invalid };
}

export const isUp = (value: string): boolean => UP_PATTERN.test(value);

/** "Ana", "Ana and Rui", "Ana, Rui and 3 others". */
export function listNames(names: string[], shown = 2): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= shown + 1) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} others`;
}
