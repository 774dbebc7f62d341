/**
 * Which reactions are the person's own (docs/design.md, Own reactions). A
 * message's summary lists at most `TIMELINE_LIMITS.reactorsListed` reactors
 * per emoji beside the full count, and every member gets the same summary; so
 * the listed reactors settle it only when they include the person or are all
 * the reactors. Past that, the client's memory of its own answered adds and
 * removes decides (unknown: not the person's).
 */
import type { Reaction } from '@chat/contract';

export interface ReactedMessage {
  id: string | null;
  reactions?: readonly Reaction[];
}

export class OwnReactions {
  /** message id → emoji → whether the person's last answered change added (true) or removed (false) it. */
  private readonly known = new Map<string, Map<string, boolean>>();

  constructor(private readonly me: string, private readonly maxMessages = 2000) {}

  /** The server answered the person's add (true) or remove (false) of `emoji` on message `id`. */
  record(id: string, emoji: string, reacted: boolean): void {
    const byEmoji = this.known.get(id) ?? new Map<string, boolean>();
    byEmoji.set(emoji, reacted);
    this.known.delete(id);
    this.known.set(id, byEmoji);
    if (this.known.size > this.maxMessages) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
  }

  /** Whether the person reacted to `message` with `emoji`. */
  has(message: ReactedMessage, emoji: string): boolean {
    const reaction = message.reactions?.find((r) => r.emoji === emoji);
    if (!reaction) return false;
    if (reaction.ups.includes(this.me)) return true;
    if (reaction.ups.length >= reaction.count || message.id === null) return false;
    return this.known.get(message.id)?.get(emoji) ?? false;
  }
}
