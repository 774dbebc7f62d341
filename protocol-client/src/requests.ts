/**
 * The client → server events that expect an answer, as promises that settle
 * once: with the result, or with a ProtocolError (an error ack, silence, or
 * the socket dropping, since an ack never comes then).
 */
import type {
  Ack, ClientToServerEvents, JoinRoomResult, ReadResult, ResultOf, SendMessageResult, ServerToClientEvents, Up,
} from '@chat/contract';
import type { Socket } from 'socket.io-client';
import { errorFromAck, ProtocolError } from './errors';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const ACK_TIMEOUT_MS = 10000;

export function withAck<T extends object>(
  socket: ChatSocket,
  emit: (done: (response: Ack<T>) => void) => void,
  timeoutMs = ACK_TIMEOUT_MS,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    function onDisconnect() {
      finish();
      reject(new ProtocolError('UNAVAILABLE', 'the connection was lost', 'disconnected'));
    }
    function finish() {
      clearTimeout(timer);
      socket.off('disconnect', onDisconnect);
    }
    timer = setTimeout(() => {
      finish();
      reject(new ProtocolError('UNAVAILABLE', 'no answer from the chat server', 'no-answer'));
    }, timeoutMs);
    socket.on('disconnect', onDisconnect);
    if (!socket.connected) {
      onDisconnect();
      return;
    }
    emit((response) => {
      finish();
      if (response.ok) resolve(response);
      else reject(errorFromAck(response.error));
    });
  });
}

export const joinRoom = (
  socket: ChatSocket,
  up: Up,
  room: string,
  since?: number,
  timeoutMs?: number,
) => withAck<JoinRoomResult>(
  socket,
  (done) => socket.emit('join room', since === undefined ? { up, room } : { up, room, since }, done),
  timeoutMs,
);

export interface Outgoing {
  up: Up;
  room: string;
  message: string;
  clientId: string;
  replyTo?: string;
  attachments?: string[];
}

export const sendChatMessage = (
  socket: ChatSocket,
  payload: Outgoing,
  timeoutMs?: number,
) => withAck<SendMessageResult>(
  socket,
  (done) => socket.emit('chat message', { ...payload, timestamp: new Date().toISOString() }, done),
  timeoutMs,
);

export const markRead = (socket: ChatSocket, room: string, seq: number) => withAck<ReadResult>(
  socket,
  (done) => socket.emit('read', { room, seq }, done),
);

export const announceOnline = (socket: ChatSocket, up: Up) => withAck<object>(socket, (done) => socket.emit('online', { up }, done));

export type ChangeResult = ResultOf<'edit message'>;
export type ResumeResult = ResultOf<'resume'>;

export const editMessage = (
  socket: ChatSocket,
  room: string,
  id: string,
  message: string,
  clientId: string,
) => withAck<ChangeResult>(
  socket,
  (done) => socket.emit('edit message', {
    room, id, message, clientId,
  }, done),
);

export const deleteMessage = (socket: ChatSocket, room: string, id: string) => withAck<ChangeResult>(
  socket,
  (done) => socket.emit('delete message', { room, id }, done),
);

export const react = (
  socket: ChatSocket,
  room: string,
  id: string,
  emoji: string,
  add: boolean,
) => withAck<ChangeResult>(
  socket,
  (done) => socket.emit(add ? 'add reaction' : 'remove reaction', { room, id, emoji }, done),
);

/** Every group in one request: what each missed after the rev held. */
export const resumeGroups = (
  socket: ChatSocket,
  groups: { room: string; rev: number }[],
  timeoutMs?: number,
) => withAck<ResumeResult>(socket, (done) => socket.emit('resume', { groups }, done), timeoutMs);
