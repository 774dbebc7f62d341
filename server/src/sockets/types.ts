import type { Server, Socket } from 'socket.io';
import type {
  ClientToServerEvents, InterServerEvents, ServerToClientEvents, Up,
} from '@chat/contract';

/** What a chat server keeps on each authenticated socket. */
export interface SocketData {
  up: Up;
  /** The access token's session and times (seconds), for sign-out and expiry (auth/sessions.ts). */
  sid?: string;
  issuedAt?: number;
  expiresAt?: number;
}

export type ChatIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** A user's personal room: every socket of the user, on every chat server. */
export const userRoom = (up: string) => `user:${up}`;

/** The group rooms a socket is in (its own id and its personal room left out). */
export const groupRoomsOf = (socket: ChatSocket): string[] => [...socket.rooms]
  .filter((room) => room !== socket.id && !room.startsWith('user:'));
