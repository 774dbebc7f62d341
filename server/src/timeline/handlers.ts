/**
 * The timeline's client → server events (contract: socket/timeline-events.ts):
 * edit, delete, reactions, and the one-step resume of every group. The
 * registrar has parsed each payload; the caller acts as the socket's own user.
 */
import { TIMELINE_LIMITS } from '@chat/contract';
import { AppError } from '@chat/shared';
import type { ChatContext } from '../context';
import type { EventHandlers } from '../sockets/registrar';
import type { ChatSocket } from '../sockets/types';

/** Groups of one resume read at the same time. */
const RESUME_WIDTH = 10;

/** A socket in a group's room was admitted as a member; anything else is asked. */
const requireMember = async (ctx: ChatContext, socket: ChatSocket, room: string) => {
  if (socket.rooms.has(room)) return;
  await ctx.membership.require(room, socket.data.up);
};

type TimelineEvent = 'edit message' | 'delete message' | 'add reaction' | 'remove reaction' | 'resume';

export function timelineHandlers(ctx: ChatContext): Pick<EventHandlers, TimelineEvent> {
  const { timeline } = ctx;
  return {
    'edit message': async ({
      room, id, message, clientId,
    }, socket) => {
      await requireMember(ctx, socket, room);
      return { message: await timeline.edit(socket.data.up, room, id, message, clientId) };
    },

    'delete message': async ({ room, id }, socket) => {
      await requireMember(ctx, socket, room);
      return { message: await timeline.remove(socket.data.up, room, id) };
    },

    'add reaction': async ({ room, id, emoji }, socket) => {
      await requireMember(ctx, socket, room);
      return { message: await timeline.react(socket.data.up, room, id, emoji, true) };
    },

    'remove reaction': async ({ room, id, emoji }, socket) => {
      await requireMember(ctx, socket, room);
      return { message: await timeline.react(socket.data.up, room, id, emoji, false) };
    },

    resume: async ({ groups }, socket) => {
      const resumeOne = async ({ room, rev }: { room: string; rev: number }) => {
        try {
          await ctx.membership.require(room, socket.data.up);
          // Join before reading: whatever changes from now on also arrives live, so nothing falls between.
          await socket.join(room);
          const page = await timeline.changesSince(room, rev, TIMELINE_LIMITS.resumeChanges);
          return { room, ok: true as const, ...page };
        } catch (err) {
          const error = err instanceof AppError ? err : new AppError('INTERNAL', 'internal error');
          if (error.code === 'INTERNAL') ctx.logger.error('resume failed', { room, error: (err as Error).message });
          return { room, ok: false as const, error: { code: error.code, message: error.message } };
        }
      };
      const answers = [];
      for (let i = 0; i < groups.length; i += RESUME_WIDTH) {
        answers.push(...await Promise.all(groups.slice(i, i + RESUME_WIDTH).map(resumeOne)));
      }
      return { groups: answers };
    },
  };
}
