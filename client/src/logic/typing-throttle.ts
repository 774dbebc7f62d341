export const TYPING_SEND_INTERVAL_MS = 2500;

/** At most one `typing` event per room per interval, however fast the person types. */
export class TypingThrottle {
  private readonly last = new Map<string, number>();

  constructor(private readonly intervalMs = TYPING_SEND_INTERVAL_MS) {}

  shouldSend(room: string, now: number): boolean {
    const last = this.last.get(room);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.last.set(room, now);
    return true;
  }

  /** After a send the next keystroke announces typing again at once. */
  reset(room: string): void { this.last.delete(room); }
}
