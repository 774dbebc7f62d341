/**
 * Asks the chat server which reactions are the person's where the open
 * group's messages cannot tell (docs/design.md, Own reactions): an emoji whose
 * summary lists only its first reactors, without the person, and the memory
 * has nothing for its current count. Asked in batches of at most 100 messages;
 * the answers go into the store's OwnReactions and the list redraws.
 */
import { LIMITS } from '@chat/contract';
import type { AppContext } from './context';

export class OwnReactionsSync {
  /** `<message id> <emoji>` being asked now. */
  private readonly asking = new Set<string>();

  /** `<message id> <emoji> <count>` whose question failed: not asked again until the group is opened again. */
  private readonly failed = new Set<string>();

  private scheduled = false;

  constructor(private readonly ctx: AppContext) {
    ctx.store.on('timeline', () => this.schedule());
    ctx.store.on('open', () => {
      this.failed.clear();
      this.schedule();
    });
  }

  /** One look per turn of the event loop, however many changes arrived in it. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      void this.askOpenGroup();
    });
  }

  private async askOpenGroup(): Promise<void> {
    const { store } = this.ctx;
    const room = store.openGroup;
    const timeline = room ? store.timelines.get(room) : undefined;
    if (!room || !timeline) return;
    const wanted = new Map<string, { emoji: string[]; failedKeys: string[] }>();
    timeline.messages.forEach((message) => {
      // Unknown again whenever the count moves: someone (maybe the person, elsewhere) reacted or took one back.
      const failedKey = (emoji: string) => `${message.id} ${emoji} ${message.reactions?.find((r) => r.emoji === emoji)?.count}`;
      const emoji = store.ownReactions.unknown(message)
        .filter((e) => !this.asking.has(`${message.id} ${e}`) && !this.failed.has(failedKey(e)));
      if (emoji.length === 0) return;
      wanted.set(message.id, { emoji, failedKeys: emoji.map(failedKey) });
      emoji.forEach((e) => this.asking.add(`${message.id} ${e}`));
    });
    const ids = [...wanted.keys()];
    for (let start = 0; start < ids.length; start += LIMITS.pageSize) {
      const batch = ids.slice(start, start + LIMITS.pageSize);
      try {
        const { items } = await this.ctx.api.myReactions(room, batch);
        batch.forEach((id) => {
          // The message as held now: a click answered meanwhile already noted its newer state.
          const held = store.timelines.get(room)?.find(id);
          const mine = items.find((item) => item.id === id)?.emoji ?? [];
          if (held) store.ownReactions.learn(held, wanted.get(id)?.emoji ?? [], mine);
        });
        store.notify('timeline');
      } catch {
        // Left unknown (shown as not the person's) until the count moves or the group is opened again.
        batch.forEach((id) => wanted.get(id)?.failedKeys.forEach((key) => this.failed.add(key)));
      } finally {
        batch.forEach((id) => wanted.get(id)?.emoji.forEach((e) => this.asking.delete(`${id} ${e}`)));
      }
    }
  }
}
