/**
 * Compile-time tests, checked by `npm run lint` (tsc) and never run: the
 * contract's types refuse a handler whose ack or payload does not match its
 * event, a server emit with a wrong payload, and a client emit with a wrong
 * request. Each `@ts-expect-error` fails the build if its line compiles.
 */
import type { Socket as ClientSocket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@chat/contract';
import type { EventHandler, EventHandlers } from '../../src/sockets/registrar';
import type { ChatIo, ChatSocket } from '../../src/sockets/types';

const stored = {
  id: 'm1', seq: 1, message: 'hi', up: '1001', room: '0123456789abcdef01234567', timestamp: '2026-01-01T00:00:00.000Z', clientId: 'c1',
};

export function handlerCases(all: EventHandlers): void {
  const send: EventHandler<'chat message'> = async () => ({ id: 'm1', seq: 1, timestamp: stored.timestamp });
  // @ts-expect-error: the ack's id is a string
  const wrongId: EventHandler<'chat message'> = async () => ({ id: 42, seq: 1, timestamp: stored.timestamp });
  // @ts-expect-error: the ack must carry seq
  const noSeq: EventHandler<'chat message'> = async () => ({ id: 'm1', timestamp: stored.timestamp });
  // @ts-expect-error: `read` answers the stored lastReadSeq
  const emptyRead: EventHandler<'read'> = async () => ({});
  // @ts-expect-error: no such event
  const unknown: EventHandler<'delete everything'> = async () => ({});
  // @ts-expect-error: every event of the contract needs a handler
  const missing: EventHandlers = { 'chat message': send };
  // A table is complete with one handler per event.
  const complete: EventHandlers = { ...all, 'chat message': send };

  const fields: EventHandler<'chat message'> = async (request) => {
    // @ts-expect-error: the request has no `text` field (it is `message`)
    const { text } = request;
    // @ts-expect-error: `seq` is not part of a send, the server assigns it
    const { seq } = request;
    const { clientId } = request;
    return { id: `${text}${seq}${String(clientId)}`, seq: 1, timestamp: stored.timestamp };
  };
  const join: EventHandler<'join room'> = async ({ room, since }, socket: ChatSocket) => {
    // @ts-expect-error: `since` is optional, so it may be undefined
    const after: number = since;
    return {
      room: `${room}${socket.id}`, messages: [stored], lastSeq: after, hasMore: false,
    };
  };
  void [wrongId, noSeq, emptyRead, unknown, missing, complete, fields, join];
}

export function serverEmitCases(io: ChatIo, socket: ChatSocket): void {
  io.to(stored.room).emit('chat message', stored);
  // @ts-expect-error: a delivered message carries its seq
  io.to(stored.room).emit('chat message', { ...stored, seq: undefined });
  // @ts-expect-error: `online` lists user numbers
  io.to(stored.room).emit('presence', { online: [1001], offline: [] });
  // @ts-expect-error: no such server → client event
  socket.emit('message stored', stored);
  // @ts-expect-error: `relocate` carries the new url
  socket.emit('relocate', { reason: 'moved' });
}

export function clientEmitCases(client: ClientSocket<ServerToClientEvents, ClientToServerEvents>): void {
  client.emit('chat message', { message: 'hi', up: '1001', room: stored.room }, (ack) => (ack.ok ? ack.seq : ack.error.code));
  // @ts-expect-error: the message is text
  client.emit('chat message', { message: 42, up: '1001', room: stored.room }, () => undefined);
  // @ts-expect-error: `read` needs the seq read up to
  client.emit('read', { room: stored.room }, () => undefined);
  // @ts-expect-error: a success ack of `read` has no `seq`
  client.emit('read', { room: stored.room, seq: 3 }, (ack) => (ack.ok ? ack.seq : 0));
  client.emit('typing', { room: stored.room });
}
