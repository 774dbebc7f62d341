/**
 * The group timeline on a chat server (docs/design.md, One change stream per
 * group): edits, deletes and reactions go to the data service, which applies
 * them in the group's serialized writer with the group's next `rev`; each
 * answer is recorded in the recent buffer, then emitted to the room.
 *
 * The resume guarantee, enforced here: a member who holds revision R of a
 * group and resumes gets the current state of every message whose rev is
 * newer than R, each once, in rev order — from the recent buffer when it holds
 * every revision after R without a hole up to the newest it knows, and
 * otherwise from the data service's indexed range on (group, rev). The caller
 * joins the room before reading, and every change is stored, then buffered,
 * then emitted: so a change is either in what the read returns, or arrives
 * live afterwards (or both; a client keeps the state with the highest rev).
 */
import { coversFrom, mergeChanges, toChatMessage } from '@chat/contract';
import type {
  ChangeResult, ChangesPage, ChatMessagePayload, Up,
} from '@chat/contract';
import type { DataClient } from '../data/client';
import type { RecentBuffer } from '../history/recent-buffer';
import { singleFlight } from '../history/single-flight';
import type { ChatIo } from '../sockets/types';

export interface TimelineOptions {
  io: ChatIo;
  data: Pick<DataClient, 'editMessage' | 'deleteMessage' | 'reactToMessage' | 'changes'>;
  buffer: RecentBuffer;
  /** Most buffered changes read for one resume (the buffer holds about this many per group). */
  bufferRead: number;
  onSource?: (source: 'buffer' | 'data') => void;
}

export function createTimeline(options: TimelineOptions) {
  const {
    io, data, buffer, bufferRead,
  } = options;
  const shared = singleFlight<ChangesPage<ChatMessagePayload>>();
  const count = (source: 'buffer' | 'data') => options.onSource?.(source);

  /** Buffered, then delivered: the change's messages in their new states, in rev order. */
  const publish = async (result: ChangeResult): Promise<ChatMessagePayload> => {
    const changes = result.changes.map(toChatMessage);
    await buffer.changed(changes);
    changes.forEach((message) => io.to(message.room).emit('message updated', message));
    return toChatMessage(result.message);
  };

  const capped = (items: ChatMessagePayload[], after: number, limit: number): ChangesPage<ChatMessagePayload> => {
    const page = items.slice(0, limit);
    return { items: page, rev: page[page.length - 1]?.rev ?? after, hasMore: items.length > limit };
  };

  const fromBuffer = async (group: string, after: number, limit: number) => {
    const slice = await buffer.changesAfter(group, after, bufferRead);
    if (!slice || slice.lastRev < after) return null;
    const revs = slice.items.map((m) => m.rev ?? -1);
    const reachesEnd = revs.length === 0 ? slice.lastRev === after : revs[revs.length - 1] === slice.lastRev;
    if (!reachesEnd || !coversFrom(after, revs)) return null;
    return capped(mergeChanges(slice.items), after, limit);
  };

  const fromData = async (group: string, after: number, limit: number) => {
    const page = await data.changes(group, after, limit);
    if (!page.hasMore) await buffer.primeRev(group, page.rev);
    return { items: page.items.map(toChatMessage), rev: page.rev, hasMore: page.hasMore };
  };

  return {
    edit: async (by: Up, room: string, id: string, message: string, clientId?: string) => publish(
      await data.editMessage(id, {
        group: room, by, message, ...(clientId !== undefined ? { clientId } : {}),
      }),
    ),
    remove: async (by: Up, room: string, id: string) => publish(await data.deleteMessage(id, { group: room, by })),
    react: async (by: Up, room: string, id: string, emoji: string, add: boolean) => publish(
      await data.reactToMessage(id, {
        group: room, by, emoji, add,
      }),
    ),

    /** What `group` changed after revision `after` (see the guarantee above); concurrent equal asks share one read. */
    changesSince: (group: string, after: number, limit: number): Promise<ChangesPage<ChatMessagePayload>> => shared(
      `${group}:${after}:${limit}`,
      async () => {
        const buffered = await fromBuffer(group, after, limit);
        if (buffered) {
          count('buffer');
          return buffered;
        }
        count('data');
        return fromData(group, after, limit);
      },
    ),
  };
}

export type Timeline = ReturnType<typeof createTimeline>;
