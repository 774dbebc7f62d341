/**
 * Which reactions are the person's own (docs/design.md, Own reactions). A
 * message's summary lists at most `TIMELINE_LIMITS.reactorsListed` reactors
 * per emoji beside the full count, and every member gets the same summary; so
 * the listed reactors settle it only when they include the person or are all
 * the reactors. Past that, the client's memory decides: its own answered adds
 * and removes, and what the server told when asked (`learn`), each noted with
 * the emoji's count then. A count that moved since may hide a change made
 * elsewhere (another device): the memory still answers, but the emoji is
 * `unknown` again, to be asked. Never known: not the person's.
 */
import type { Reaction } from '@chat/contract';

export interface ReactedMessage {
  id: string | null;
  reactions?: readonly Reaction[];
}

interface Known {
  reacted: boolean;
  /** The emoji's count when this was learnt. */
  count: number;
}

const countOf = (message: ReactedMessage, emoji: string): number => (
  message.reactions?.find((r) => r.emoji === emoji)?.count ?? 0);

export class OwnReactions {
  /** message id → emoji → what is known of the person's reaction. */
  private readonly known = new Map<string, Map<string, Known>>();

  constructor(private readonly me: string, private readonly maxMessages = 2000) {}

  /** The server answered the person's add (true) or remove (false) of `emoji`: `message` is the answer. */
  record(message: ReactedMessage & { id: string }, emoji: string, reacted: boolean): void {
    this.note(message.id, emoji, { reacted, count: countOf(message, emoji) });
  }

  /** The emoji of `message` whose listed reactors cannot tell, and the memory does not know for its current count. */
  unknown(message: ReactedMessage): string[] {
    const { id } = message;
    if (id === null) return [];
    const known = this.known.get(id);
    return (message.reactions ?? [])
      .filter((r) => !r.ups.includes(this.me) && r.ups.length < r.count && known?.get(r.emoji)?.count !== r.count)
      .map((r) => r.emoji);
  }

  /**
   * The server's answer about the `asked` emoji of `message` (as it was when asked): `mine` are the person's,
   * the rest are not. An answered add or remove noted since the question is newer, so it stays.
   */
  learn(message: ReactedMessage & { id: string }, asked: readonly string[], mine: readonly string[]): void {
    asked.forEach((emoji) => {
      const count = countOf(message, emoji);
      const held = this.known.get(message.id)?.get(emoji);
      if (held && held.count === count) return;
      this.note(message.id, emoji, { reacted: mine.includes(emoji), count });
    });
  }

  /** Whether the person reacted to `message` with `emoji`. */
  has(message: ReactedMessage, emoji: string): boolean {
    const reaction = message.reactions?.find((r) => r.emoji === emoji);
    if (!reaction) return false;
    if (reaction.ups.includes(this.me)) return true;
    if (reaction.ups.length >= reaction.count || message.id === null) return false;
    return this.known.get(message.id)?.get(emoji)?.reacted ?? false;
  }

  private note(id: string, emoji: string, known: Known): void {
    const byEmoji = this.known.get(id) ?? new Map<string, Known>();
    byEmoji.set(emoji, known);
    this.known.delete(id);
    this.known.set(id, byEmoji);
    if (this.known.size > this.maxMessages) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
  }
}
