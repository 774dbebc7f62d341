/**
 * The pure rules of notifications (docs/notifications.md, Rules): who is
 * mentioned in a text, whether a local time falls in quiet hours, and what
 * one member is told about one message.
 */
import type { NotifyLevel } from '@chat/shared';
import type { NotifyReason } from './models';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * True when `text` mentions the user: `@<up>` or `@<username>` (the name
 * case-insensitively), not inside a longer name or an e-mail address.
 * A stand-in until messages carry their mentions as data.
 */
export function mentions(text: string, user: { up: string; username?: string }): boolean {
  // Most messages hold no '@': no pattern to build for them (a pass asks once per member and message).
  if (!text.includes('@')) return false;
  const names = [user.up, user.username].filter((n): n is string => Boolean(n)).map(escape);
  const pattern = new RegExp(`(^|[^A-Za-z0-9_.@-])@(${names.join('|')})(?![A-Za-z0-9_-]|\\.[A-Za-z0-9_-])`, 'i');
  return pattern.test(text);
}

/** Minutes since local midnight of `at` in `timeZone`. */
export function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return (hour % 24) * 60 + minute;
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** True when `at` falls in [start, end) local time in `timeZone`; the range may span midnight. */
export function inQuietHours(at: Date, timeZone: string, quiet: { start: string; end: string } | null): boolean {
  if (!quiet) return false;
  const now = localMinutes(at, timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

export interface Audience {
  level: NotifyLevel;
  online: boolean;
  mentioned: boolean;
  /** A reply to one of this member's messages (not yet known: messages do not carry replies). */
  repliedTo: boolean;
}

/**
 * What a member is told about a message they did not send: nothing (null),
 * or an item with its reason, for the webhook too (`push`) when they are offline.
 * Online members get mentions and replies in their in-app list only; muted groups give nothing.
 */
export function decide(a: Audience): { reason: NotifyReason; push: boolean } | null {
  if (a.level === 'muted') return null;
  let reason: NotifyReason = 'message';
  if (a.repliedTo) reason = 'reply';
  else if (a.mentioned) reason = 'mention';
  if (a.level === 'mentions' && reason === 'message') return null;
  if (a.online) return reason === 'message' ? null : { reason, push: false };
  return { reason, push: true };
}
