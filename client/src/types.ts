/**
 * The contract types, from @chat/shared. Type-only: the shared package also
 * holds Node-only code that must never reach the browser bundle.
 */
import type { Group } from '@chat/shared';

export type {
  Ack, ChatMessagePayload, ClientToServerEvents, CursorPage, ErrorDetail, Group, JoinRoomResult,
  PresenceBatch, ReadResult, SendMessageResult, ServerToClientEvents, Up, User,
} from '@chat/shared';

/** A group as listed for one member (GET /chat/groups). */
export type GroupForUser = Group & { lastReadSeq: number; unread: number };
