/** Who is typing where, from `typing` events that each last a few seconds. */
import type { Up } from '@chat/contract';

export const TYPING_VISIBLE_MS = 4000;

export class TypingTracker {
  private readonly until = new Map<string, Map<Up, number>>();

  constructor(private readonly visibleMs = TYPING_VISIBLE_MS) {}

  seen(room: string, up: Up, now: number): void {
    const typers = this.until.get(room) ?? new Map<Up, number>();
    typers.set(up, now + this.visibleMs);
    this.until.set(room, typers);
  }

  /** They sent a message: they are no longer typing it. */
  stopped(room: string, up: Up): void { this.until.get(room)?.delete(up); }

  active(room: string, now: number): Up[] {
    const typers = this.until.get(room);
    if (!typers) return [];
    return [...typers.entries()].filter(([, until]) => until > now).map(([up]) => up);
  }

  /** When the display next needs to change, or null when nobody is typing. */
  nextExpiry(now: number): number | null {
    let next: number | null = null;
    this.until.forEach((room) => room.forEach((until) => {
      if (until > now && (next === null || until < next)) next = until;
    }));
    return next;
  }
}
