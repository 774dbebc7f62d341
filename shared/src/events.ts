/**
 * Socket.IO events, declared once and threaded through `Server<…>` on the chat
 * servers and `Socket<…>` in the client. Names and fields follow the seed
 * (`online`, `chat message`, `join room`); the rest is what a real client needs.
 */
import type { ErrorDetail, Group, Up } from '@chat/contract';

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorDetail };
export type AckCallback<T extends object = object> = (response: Ack<T>) => void;

/** A message as delivered to sockets. `room` is the group id. */
export interface ChatMessagePayload {
  id: string;
  seq: number;
  message: string;
  up: Up;
  room: string;
  timestamp: string;
  clientId: string;
}

export interface OnlineRequest { up: Up }
export interface JoinRoomRequest {
  up: Up;
  room: string;
  /** The last `seq` the client has seen: the ack carries everything after it. */
  since?: number;
}
export interface JoinRoomResult {
  room: string;
  /** Ascending `seq`: the newest page, or (with `since`) what came after `since`. */
  messages: ChatMessagePayload[];
  lastSeq: number;
  /**
   * Without `since`: older messages exist before the first one returned.
   * With `since`: more messages exist after the last one returned (the catch-up
   * was capped); the client continues with the REST cursor `after=<last seq>`.
   */
  hasMore: boolean;
}
export interface LeaveRoomRequest { room: string }
export interface SendMessageRequest {
  message: string;
  up: Up;
  room: string;
  /** The sender's clock, informative only: the stored time is the server's. */
  timestamp?: string;
  clientId: string;
}
export interface SendMessageResult { id: string; seq: number; timestamp: string }
export interface TypingRequest { room: string }
export interface ReadRequest { room: string; seq: number }
/** The stored read position: never lower than before (it does not go back). */
export interface ReadResult { lastReadSeq: number }

export interface ClientToServerEvents {
  online: (payload: OnlineRequest, ack: AckCallback) => void;
  'join room': (payload: JoinRoomRequest, ack: AckCallback<JoinRoomResult>) => void;
  'leave room': (payload: LeaveRoomRequest, ack: AckCallback) => void;
  'chat message': (payload: SendMessageRequest, ack: AckCallback<SendMessageResult>) => void;
  typing: (payload: TypingRequest, ack?: AckCallback) => void;
  read: (payload: ReadRequest, ack: AckCallback<ReadResult>) => void;
}

/** Presence changes of users one shares a group with, batched per interval. */
export interface PresenceBatch {
  online: Up[];
  offline: { up: Up; lastSeen: string }[];
}

export interface ServerToClientEvents {
  'chat message': (message: ChatMessagePayload) => void;
  presence: (batch: PresenceBatch) => void;
  typing: (event: { room: string; up: Up }) => void;
  read: (event: { room: string; up: Up; seq: number }) => void;
  'group created': (group: Group) => void;
  'group updated': (group: Group) => void;
  'group deleted': (event: { room: string }) => void;
  'member joined': (event: { room: string; up: Up }) => void;
  'member left': (event: { room: string; up: Up }) => void;
  /** This server no longer serves the user: reconnect through GET /chat/location. */
  relocate: (event: { url: string; reason: string }) => void;
}

/** Events between chat servers through the adapter (`serverSideEmit`). */
export interface InterServerEvents {
  /** Forget cached memberships of `room` (of one user, or of everyone when `up` is null). */
  'membership revoked': (event: { room: string; up: Up | null }) => void;
}

/** What a chat server keeps on each authenticated socket. */
export interface SocketData {
  up: Up;
  username: string;
}
