/**
 * The client → server events declared in the contract (@chat/contract,
 * socket/client-events.ts), answered here. The registrar has already parsed
 * each payload; a handler insists that any `up` is the socket's own and
 * checks membership.
 */
import { AppError } from '@chat/shared';
import type { Up } from '@chat/shared';
import type { ChatContext } from '../context';
import { registerTimelineHandlers } from '../timeline/handlers';
import type { Registrar } from './registrar';
import type { ChatSocket } from './types';

const ownUp = (socket: ChatSocket, up: Up) => {
  if (up !== socket.data.up) throw new AppError('FORBIDDEN', 'you can only act as yourself');
};

/** A socket in a group's room was admitted as a member; anything else is asked. */
const requireMember = async (ctx: ChatContext, socket: ChatSocket, room: string) => {
  if (socket.rooms.has(room)) return;
  await ctx.membership.require(room, socket.data.up);
};

export function registerHandlers(ctx: ChatContext, registrar: Registrar, socket: ChatSocket): void {
  const { io } = ctx;
  const { register, refuseUnknownEvents } = registrar;

  register(socket, 'online', async ({ up }) => {
    ownUp(socket, up);
    return {};
  });

  register(socket, 'join room', async ({ up, room, since }) => {
    ownUp(socket, up);
    await ctx.membership.require(room, up);
    // Join before reading history: whatever is stored from now on also arrives live,
    // so nothing falls between the two (the client drops a seq it already has).
    await socket.join(room);
    const slice = since === undefined ? await ctx.history.latest(room) : await ctx.history.since(room, since);
    return { room, ...slice };
  });

  register(socket, 'leave room', async ({ room }) => {
    await socket.leave(room);
    return {};
  });

  register(socket, 'chat message', async (request) => {
    ownUp(socket, request.up);
    return ctx.messages.send(socket.id, request.up, request);
  });

  register(socket, 'typing', async ({ room }) => {
    await requireMember(ctx, socket, room);
    socket.to(room).volatile.emit('typing', { room, up: socket.data.up });
    return {};
  });

  register(socket, 'read', async ({ room, seq }) => {
    await requireMember(ctx, socket, room);
    const position = await ctx.data.markRead(room, socket.data.up, seq);
    io.to(room).emit('read', { room, up: socket.data.up, seq: position.lastReadSeq });
    return { lastReadSeq: position.lastReadSeq };
  });

  registerTimelineHandlers(ctx, registrar, socket);
  refuseUnknownEvents(socket);
}
