/**
 * Searching the person's groups (docs/search.md) and jumping from a result to
 * its place in the history: the group opens, the pages around the message are
 * loaded through the history cursor (`before`/`after`), and the message list
 * scrolls to it and highlights it.
 */
import type { ChatSearchHit, ChatSearchPage } from '@chat/contract';
import { describeError } from '../api/describe-error';
import type { AppContext } from './context';
import type { Messages } from './messages';

/** Messages loaded on each side of a result that is not held yet. */
const AROUND = 25;
/** Pages of 100 loaded to join the result's window to the newest messages held; beyond that the gap stays. */
const MAX_FILL_PAGES = 5;

export class Search {
  constructor(private readonly ctx: AppContext, private readonly messages: Messages) {}

  /** One page of results for `q` (all the person's groups, or one). */
  find(q: string, options: { group?: string; cursor?: string } = {}): Promise<ChatSearchPage> {
    return this.ctx.api.search(q, options);
  }

  /** Opens the result's group with the message loaded and asks the list to show it. */
  async jumpTo(hit: Pick<ChatSearchHit, 'room' | 'seq'>): Promise<void> {
    const { store, api } = this.ctx;
    if (!store.groups.has(hit.room)) {
      this.ctx.toast('That group is no longer in your list.');
      return;
    }
    this.messages.open(hit.room);
    await this.messages.catchUp(hit.room);
    const timeline = store.timeline(hit.room);
    try {
      if (!timeline.messages.some((m) => m.seq === hit.seq)) {
        const [before, after] = await Promise.all([
          api.messagesBefore(hit.room, hit.seq + 1, AROUND + 1),
          api.messagesAfter(hit.room, hit.seq, AROUND),
        ]);
        const newestHeld = timeline.firstSeq;
        timeline.merge([...before.items, ...after.items]);
        timeline.hasOlder = before.hasMore && timeline.firstSeq !== 1;
        // Join the window to the newest page held, so catching up later starts from the right place.
        for (let page = 0; newestHeld !== null && page < MAX_FILL_PAGES && timeline.hasGap(); page += 1) {
          const fill = await api.messagesAfter(hit.room, timeline.contiguousLastSeq(), 100);
          if (timeline.merge(fill.items).length === 0) break;
        }
      }
    } catch (err) {
      this.ctx.toast(`Could not load that part of the conversation. ${describeError(err)}`);
    }
    store.focus = { room: hit.room, seq: hit.seq };
    store.notify('timeline', 'focus');
  }
}
