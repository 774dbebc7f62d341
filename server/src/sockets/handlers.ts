/**
 * The client → server events (shared/src/events.ts). Each validates its
 * payload, insists that any `up` is the socket's own, and checks membership;
 * `chat message` answers only once the message is stored (DESIGN.md decision 4).
 */
import { AppError, validate } from '@chat/shared';
import type { Up } from '@chat/shared';
import type { ChatContext } from '../context';
import { toPayload } from '../history/payload';
import { onEvent } from './ack';
import type { ChatSocket } from './types';
import {
  joinRoomSchema, leaveRoomSchema, onlineSchema, readSchema, sendMessageSchema, typingSchema,
} from './validation';

const ownUp = (socket: ChatSocket, up: Up) => {
  if (up !== socket.data.up) throw new AppError('FORBIDDEN', 'you can only act as yourself');
};

/** A socket in a group's room was admitted as a member; anything else is asked. */
const requireMember = async (ctx: ChatContext, socket: ChatSocket, room: string) => {
  if (socket.rooms.has(room)) return;
  await ctx.membership.require(room, socket.data.up);
};

export function registerHandlers(ctx: ChatContext, socket: ChatSocket): void {
  const { io, metrics } = ctx;

  socket.on('online', onEvent(ctx, socket, 'online', async (payload) => {
    ownUp(socket, validate(onlineSchema, payload).up);
    return {};
  }));

  socket.on('join room', onEvent(ctx, socket, 'join room', async (payload) => {
    const { up, room, since } = validate(joinRoomSchema, payload);
    ownUp(socket, up);
    await ctx.membership.require(room, up);
    // Join before reading history: whatever is stored from now on also arrives live,
    // so nothing falls between the two (the client drops a seq it already has).
    await socket.join(room);
    const slice = since === undefined ? await ctx.history.latest(room) : await ctx.history.since(room, since);
    return { room, ...slice };
  }));

  socket.on('leave room', onEvent(ctx, socket, 'leave room', async (payload) => {
    const { room } = validate(leaveRoomSchema, payload);
    await socket.leave(room);
    return {};
  }));

  socket.on('chat message', onEvent(ctx, socket, 'chat message', async (payload) => {
    const started = process.hrtime.bigint();
    metrics.messagesIn.inc();
    const request = validate(sendMessageSchema, payload);
    ownUp(socket, request.up);
    await ctx.limiters.messages.consume(socket.id);
    if (ctx.isClosing()) throw new AppError('UNAVAILABLE', 'this server is shutting down; resend after reconnecting');
    // Membership is enforced by the data service on store (403), so the hot path makes one call.
    const { message } = await ctx.batcher.send({
      group: request.room, from: request.up, message: request.message, clientId: request.clientId,
    });
    metrics.ackLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    // Emitted after the caller's ack is queued: acknowledged first, then delivered (a retried
    // send is delivered again; receivers drop an id they already have).
    setImmediate(() => {
      io.to(message.group).emit('chat message', toPayload(message));
      metrics.messagesOut.inc();
    });
    return { id: message.id, seq: message.seq, timestamp: message.timestamp };
  }));

  socket.on('typing', onEvent(ctx, socket, 'typing', async (payload) => {
    const { room } = validate(typingSchema, payload);
    await requireMember(ctx, socket, room);
    socket.to(room).volatile.emit('typing', { room, up: socket.data.up });
    return {};
  }));

  socket.on('read', onEvent(ctx, socket, 'read', async (payload) => {
    const { room, seq } = validate(readSchema, payload);
    await requireMember(ctx, socket, room);
    const position = await ctx.data.markRead(room, socket.data.up, seq);
    io.to(room).emit('read', { room, up: socket.data.up, seq: position.lastReadSeq });
    return { lastReadSeq: position.lastReadSeq };
  }));
}
