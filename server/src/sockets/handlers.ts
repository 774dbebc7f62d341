/**
 * The client → server events declared in the contract (@chat/contract,
 * socket/client-events.ts), answered here. The registrar has already parsed
 * each payload; a handler insists that any `up` is the socket's own and
 * checks membership. One table per server: a socket holds no handler of its own.
 */
import { AppError } from '@chat/shared';
import type { Up } from '@chat/shared';
import type { ChatContext } from '../context';
import { timelineHandlers } from '../timeline/handlers';
import type { EventHandlers } from './registrar';
import type { ChatSocket } from './types';

const ownUp = (socket: ChatSocket, up: Up) => {
  if (up !== socket.data.up) throw new AppError('FORBIDDEN', 'you can only act as yourself');
};

/** A socket in a group's room was admitted as a member; anything else is asked. */
const requireMember = async (ctx: ChatContext, socket: ChatSocket, room: string) => {
  if (socket.rooms.has(room)) return;
  await ctx.membership.require(room, socket.data.up);
};

/** The handlers of every client event, built once per server; each acts for the socket it is given. */
export function createEventHandlers(ctx: ChatContext): EventHandlers {
  const { io } = ctx;
  return {
    online: async ({ up }, socket) => {
      ownUp(socket, up);
      return {};
    },

    'join room': async ({ up, room, since }, socket) => {
      ownUp(socket, up);
      await ctx.membership.require(room, up);
      // Join before reading history: whatever is stored from now on also arrives live,
      // so nothing falls between the two (the client drops a seq it already has).
      await socket.join(room);
      const slice = since === undefined ? await ctx.history.latest(room) : await ctx.history.since(room, since);
      return { room, ...slice };
    },

    'leave room': async ({ room }, socket) => {
      await socket.leave(room);
      return {};
    },

    'chat message': async (request, socket) => {
      ownUp(socket, request.up);
      return ctx.messages.send(request.up, request);
    },

    typing: async ({ room }, socket) => {
      await requireMember(ctx, socket, room);
      socket.to(room).volatile.emit('typing', { room, up: socket.data.up });
      return {};
    },

    read: async ({ room, seq }, socket) => {
      await requireMember(ctx, socket, room);
      const position = await ctx.data.markRead(room, socket.data.up, seq);
      io.to(room).emit('read', { room, up: socket.data.up, seq: position.lastReadSeq });
      return { lastReadSeq: position.lastReadSeq };
    },

    ...timelineHandlers(ctx),
  };
}
