/**
 * `@` mentions in text: which words name a member (by user number or username)
 * or the person themself, for highlighting, and the word being typed for the
 * composer's suggestions. Plain strings only, never markup.
 */
import { mentionSpans } from '@chat/contract';
import type { User } from '@chat/contract';
import { appendText } from './text';

export type MentionTarget = 'me' | 'member';

export type MentionSegment =
  | { kind: 'text'; text: string }
  | { kind: 'mention'; text: string; name: string; target: MentionTarget };

/**
 * Splits `text` into plain runs and the `@name`s that `classify` recognises (a member, or the
 * person themself). Which `@name`s count is the contract's rule (`mentionSpans`), the one the
 * server resolves mentions by, so a highlighted name is one the server counted.
 */
export function splitMentions(text: string, classify: (name: string) => MentionTarget | null): MentionSegment[] {
  const segments: MentionSegment[] = [];
  let cursor = 0;
  mentionSpans(text).forEach(({ start, name }) => {
    const target = classify(name);
    if (!target) return;
    appendText(segments, text.slice(cursor, start));
    segments.push({
      kind: 'mention', text: `@${name}`, name, target,
    });
    cursor = start + 1 + name.length;
  });
  appendText(segments, text.slice(cursor));
  return segments;
}

/**
 * Recognises the person (`@<up>` or `@<username>`) and the group's members among mention names,
 * as written: the server matches user numbers and usernames exactly, so `@Bob` is not `bob`.
 */
export function mentionClassifier(me: Pick<User, 'up' | 'username'>, members: ReadonlyArray<Pick<User, 'up' | 'username'>>) {
  const names = new Set<string>();
  members.forEach((m) => {
    names.add(m.up);
    if (m.username) names.add(m.username);
  });
  const mine = new Set([me.up, me.username]);
  return (name: string): MentionTarget | null => {
    if (mine.has(name)) return 'me';
    return names.has(name) ? 'member' : null;
  };
}

/** The `@word` the caret is at the end of, if any: what the composer offers names for. */
export function mentionAtCaret(value: string, caret: number): { start: number; query: string } | null {
  const before = value.slice(0, caret);
  const match = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{0,32})$/.exec(before);
  if (!match) return null;
  const query = match[2] ?? '';
  return { start: caret - query.length - 1, query };
}

/** Members whose user number, username or name starts with `query` (case-insensitive), best first. */
export function suggestMembers<T extends Pick<User, 'up' | 'username' | 'name'>>(
  query: string,
  members: readonly T[],
  limit = 6,
): T[] {
  const q = query.toLowerCase();
  const score = (m: T): number => {
    if (m.up.toLowerCase().startsWith(q) || m.username.toLowerCase().startsWith(q)) return 0;
    if (m.name.toLowerCase().split(/\s+/).some((word) => word.startsWith(q))) return 1;
    return -1;
  };
  return members
    .map((m) => ({ m, s: score(m) }))
    .filter(({ s }) => s >= 0)
    .sort((a, b) => a.s - b.s || a.m.username.localeCompare(b.m.username))
    .slice(0, limit)
    .map(({ m }) => m);
}
