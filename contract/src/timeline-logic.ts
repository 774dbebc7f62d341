/**
 * The pure rules of the group timeline, one place for every part: which names
 * a text mentions, the quote a reply carries, a message's reaction summary,
 * and how changes merge (each message once, latest state, in `rev` order).
 */
import { TIMELINE_LIMITS } from './timeline';
import type { Reaction } from './timeline';

/** `@name`: a user number or a username (letters, digits, `_`, `.`, `-`), not inside a word or an e-mail address. */
const MENTION = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,31})/g;

/** One `@name` in a text: where its `@` is, and the name (without the `@`), exactly as written. */
export interface MentionSpan {
  start: number;
  name: string;
}

/**
 * Every `@name` of `text` that counts as a mention, in order: the occurrences of
 * the first `TIMELINE_LIMITS.mentionsPerMessage` distinct names. The server
 * resolves these names to members; a client highlights these same places.
 */
export function mentionSpans(text: string): MentionSpan[] {
  const spans: MentionSpan[] = [];
  const names = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    // A trailing '.' or '-' ends the sentence, not the name ("thanks @bob.").
    const name = (match[2] ?? '').replace(/[.-]+$/, '');
    if (name.length > 0) {
      if (!names.has(name)) {
        if (names.size >= TIMELINE_LIMITS.mentionsPerMessage) break;
        names.add(name);
      }
      spans.push({ start: match.index + (match[1] ?? '').length, name });
    }
  }
  return spans;
}

/** The distinct names `text` mentions, in order of first appearance, at most `TIMELINE_LIMITS.mentionsPerMessage`. */
export function mentionedNames(text: string): string[] {
  return [...new Set(mentionSpans(text).map((span) => span.name))];
}

/** The first `TIMELINE_LIMITS.excerptLength` code points of `text`, with an ellipsis when cut. */
export function excerptOf(text: string): string {
  const points = [...text];
  if (points.length <= TIMELINE_LIMITS.excerptLength) return text;
  return `${points.slice(0, TIMELINE_LIMITS.excerptLength - 1).join('')}…`;
}

/** A message's reaction summary from its reactions in the order they were made: full counts, the first reactors listed. */
export function summarizeReactions(reactions: ReadonlyArray<{ emoji: string; up: string }>): Reaction[] {
  const byEmoji = new Map<string, Reaction>();
  reactions.forEach(({ emoji, up }) => {
    let entry = byEmoji.get(emoji);
    if (!entry) {
      if (byEmoji.size >= TIMELINE_LIMITS.reactionEmoji) return;
      entry = { emoji, count: 0, ups: [] };
      byEmoji.set(emoji, entry);
    }
    entry.count += 1;
    if (entry.ups.length < TIMELINE_LIMITS.reactorsListed) entry.ups.push(up);
  });
  return [...byEmoji.values()];
}

/**
 * Changes merged for a resume: each message once (by `id`), in its state with
 * the highest `rev`, the whole list in `rev` order. Items without a `rev` are dropped.
 */
export function mergeChanges<T extends { id: string; rev?: number }>(changes: readonly T[]): T[] {
  const latest = new Map<string, T>();
  changes.forEach((change) => {
    if (change.rev === undefined) return;
    const held = latest.get(change.id);
    if (!held || (held.rev ?? 0) < change.rev) latest.set(change.id, change);
  });
  return [...latest.values()].sort((a, b) => (a.rev ?? 0) - (b.rev ?? 0));
}

/**
 * Whether `revs` (ascending) are every revision from `after + 1` on, without a
 * hole: what a buffer of changes must hold to answer a resume from `after`.
 */
export function coversFrom(after: number, revs: readonly number[]): boolean {
  return revs.every((rev, i) => rev === after + 1 + i);
}
