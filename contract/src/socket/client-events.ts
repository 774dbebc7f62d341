/**
 * The client → server events, each declared once: its request payload, the
 * result its success ack carries, and the error codes its error ack can hold.
 * The chat server parses every request with these schemas before a handler
 * sees it (unknown fields are dropped); the descriptions are the protocol's
 * documentation and go into asyncapi.yaml as they are.
 */
import { z } from 'zod';
import { LIMITS } from '../limits';
import type { Ack } from './ack';
import { ALWAYS, clientEvent } from './client-event-spec';
import { attachmentIdsField } from '../attachments';
import { chatMessageSchema } from '../records';
import {
  groupIdField, objectIdField, seqField, upField,
} from '../fields';
import { SOCKET_LIMITS } from './limits';
import { text } from '../text';
import { timelineClientEvents } from './timeline-events';

export type { ClientEventSpec } from './client-event-spec';

/** The sender's own user number: it must equal the one in the socket's token (else FORBIDDEN). */
const senderUpField = upField.meta({ description: "The sender's own user number; another user's answers FORBIDDEN." });

const noResult = z.object({});

export const onlineRequestSchema = z.object({ up: senderUpField });
export const joinRoomRequestSchema = z.object({
  up: senderUpField,
  room: groupIdField,
  since: seqField.optional()
    .meta({ description: 'The last `seq` the client has seen: the ack carries everything after it.' }),
});
export const joinRoomResultSchema = z.object({
  room: groupIdField,
  messages: z.array(chatMessageSchema).meta({
    description: `Ascending \`seq\`: the newest ${SOCKET_LIMITS.joinPageSize} messages, `
      + `or (with \`since\`) what came after \`since\`, at most ${SOCKET_LIMITS.catchUpDefault} by default.`,
  }),
  lastSeq: z.number().int().min(0).meta({ description: "The group's newest `seq` (0: no message yet)." }),
  hasMore: z.boolean().meta({
    description: 'Without `since`: older messages exist before the first one returned. With `since`: more '
      + 'messages exist after the last one returned (the catch-up was capped); continue with the REST cursor '
      + '`GET /chat/{group}/message?after=<last seq>`.',
  }),
});
export const leaveRoomRequestSchema = z.object({ room: groupIdField });

export const sendMessageRequestSchema = z.object({
  message: text(LIMITS.messageLength).min(1, 'must not be empty')
    .refine((value) => value.trim().length > 0, 'must not be blank'),
  up: senderUpField,
  room: groupIdField,
  timestamp: z.union([text(64), z.number()]).optional()
    .meta({ description: "The sender's clock (ISO text or epoch ms), informative only: the stored time is the server's." }),
  clientId: text(LIMITS.clientId).min(1).optional().meta({
    description: 'The idempotency key, unique per sender and group: a retried send with the same `clientId` is '
      + 'acknowledged with the first stored message (same `id` and `seq`), never stored twice. Another sender '
      + 'reusing a `clientId` of the group gets CONFLICT. Without it (clients of the original protocol) the '
      + 'server assigns one, and a retried send is stored again: such a send is not idempotent.',
  }),
  replyTo: objectIdField.optional().meta({
    description: 'The id of a message of the same group this one answers; the stored message carries a short '
      + 'quote of it (`replyTo`). A message of another group, or none, is NOT_FOUND.',
  }),
  attachments: attachmentIdsField.optional(),
});
export const sendMessageResultSchema = chatMessageSchema.pick({ id: true, seq: true, timestamp: true });
export const typingRequestSchema = z.object({ room: groupIdField });
export const readRequestSchema = z.object({ room: groupIdField, seq: seqField });
export const readResultSchema = z.object({
  lastReadSeq: z.number().int().min(0)
    .meta({ description: 'The stored read position: never lower than before (it does not go back).' }),
});

export const clientEvents = {
  online: clientEvent({
    summary: '"I am here", kept from the original protocol',
    description: 'Checks that `up` is the caller\'s own and answers `{ok: true}`; it changes nothing. Presence '
      + 'comes from the connection itself: a user is online while any of their sockets is connected, on any '
      + 'chat server, and goes offline a grace period (3 s by default) after the last one closes; members of '
      + 'the user\'s groups hear it in `presence`.',
    request: onlineRequestSchema,
    result: noResult,
    errors: [...ALWAYS, 'FORBIDDEN'],
  }),
  'join room': clientEvent({
    summary: 'Enter a group\'s room and read its newest messages, or catch up',
    description: 'Members only. A socket is already in the rooms of all its groups when it connects; `join room` '
      + `answers the newest ${SOCKET_LIMITS.joinPageSize} messages, or with \`since\` every message after it `
      + '(each exactly once, in `seq` order), and (re)joins the room first, so nothing stored meanwhile is missed.',
    request: joinRoomRequestSchema,
    result: joinRoomResultSchema,
    errors: [...ALWAYS, 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  'leave room': clientEvent({
    summary: 'Stop receiving a group\'s live events on this socket',
    description: 'The membership is unchanged (leaving a group is a REST call); the room is entered again on '
      + 'the next connection or `join room`.',
    request: leaveRoomRequestSchema,
    result: noResult,
    errors: ALWAYS,
  }),
  'chat message': clientEvent({
    summary: 'Send a message to a group',
    description: 'Members only. The success ack comes only once the message is stored: a message that was '
      + 'acknowledged is stored, and nothing is acknowledged that is not. Then every member\'s socket (on '
      + 'every chat server) receives it as a server → client `chat message`, the sender\'s included. '
      + `Rate limit: ${SOCKET_LIMITS.messagesPerWindow} messages per ${SOCKET_LIMITS.windowSeconds} s per `
      + 'socket by default (RATE_LIMITED, the socket stays connected).',
    request: sendMessageRequestSchema,
    result: sendMessageResultSchema,
    errors: [...ALWAYS, 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
  typing: clientEvent({
    summary: 'Tell the group the caller is typing',
    description: 'Members only. The other members receive `typing` (volatile: dropped rather than queued). The '
      + 'ack callback is optional.',
    request: typingRequestSchema,
    result: noResult,
    errors: [...ALWAYS, 'FORBIDDEN', 'NOT_FOUND'],
    ackOptional: true,
  }),
  read: clientEvent({
    summary: 'Move the caller\'s read position forward',
    description: 'Members only. The stored position never goes back; the group\'s members receive `read` '
      + 'with the stored position.',
    request: readRequestSchema,
    result: readResultSchema,
    errors: [...ALWAYS, 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  ...timelineClientEvents,
} as const;

export type ClientEventName = keyof typeof clientEvents;
/** The payload a handler receives: parsed by the event's request schema. */
export type RequestOf<E extends ClientEventName> = z.output<(typeof clientEvents)[E]['request']>;
/** The payload a client sends. */
export type RequestInputOf<E extends ClientEventName> = z.input<(typeof clientEvents)[E]['request']>;
/** An empty result infers as `Record<string, never>`, which no object with `ok` satisfies. */
type Fields<T> = string extends keyof T ? object : T;
/** What the handler answers: the success ack without `ok`. */
export type ResultOf<E extends ClientEventName> = Fields<z.output<(typeof clientEvents)[E]['result']>>;
export type AckOf<E extends ClientEventName> = Ack<ResultOf<E>>;

export const isClientEventName = (event: string): event is ClientEventName => (
  Object.prototype.hasOwnProperty.call(clientEvents, event)
);

export type OnlineRequest = RequestInputOf<'online'>;
export type JoinRoomRequest = RequestInputOf<'join room'>;
export type JoinRoomResult = ResultOf<'join room'>;
export type LeaveRoomRequest = RequestInputOf<'leave room'>;
export type SendMessageRequest = RequestInputOf<'chat message'>;
export type SendMessageResult = ResultOf<'chat message'>;
export type TypingRequest = RequestInputOf<'typing'>;
export type ReadRequest = RequestInputOf<'read'>;
export type ReadResult = ResultOf<'read'>;
