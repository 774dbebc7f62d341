/**
 * The server → client events, each declared once with its payload. A chat
 * server emits nothing else; its emits are type-checked against these.
 */
import { z } from 'zod';
import { chatMessageSchema, groupSchema, upSchema } from '../records';
import { timelineServerEvents } from './timeline-events';
import { roleEvents } from './role-events';
import { sessionInterServerEvents, sessionServerEvents } from './session-events';

export interface ServerEventSpec {
  summary: string;
  payload: z.ZodType;
}

const serverEvent = <const S extends ServerEventSpec>(spec: S): S => spec;

const room = z.string().meta({ description: 'The group id.' });
const memberEvent = z.object({ room, up: upSchema });

export const presenceBatchSchema = z.object({
  online: z.array(upSchema),
  offline: z.array(z.object({ up: upSchema, lastSeen: z.string().meta({ description: 'ISO time.' }) })),
}).meta({ description: 'Presence changes of users one shares a group with, batched per second.' });

export const relocateSchema = z.object({
  url: z.string().meta({ description: 'The chat server to use now (a hint: ask `GET /chat/location`).' }),
  reason: z.string(),
});

export const serverEvents = {
  'chat message': serverEvent({ summary: 'A message stored in one of the caller\'s groups', payload: chatMessageSchema }),
  presence: serverEvent({ summary: 'Members of the caller\'s groups came online or went offline', payload: presenceBatchSchema }),
  typing: serverEvent({ summary: 'A member is typing', payload: memberEvent }),
  read: serverEvent({
    summary: 'A member\'s read position moved',
    payload: memberEvent.extend({ seq: z.number().int().min(0) }),
  }),
  'group created': serverEvent({ summary: 'The caller was made a member of a new group', payload: groupSchema }),
  'group updated': serverEvent({ summary: 'A group was renamed, or its members or their roles changed', payload: groupSchema }),
  'group deleted': serverEvent({ summary: 'A group was deleted (or the caller removed from it)', payload: z.object({ room }) }),
  'member joined': serverEvent({ summary: 'A user was added to a group', payload: memberEvent }),
  'member left': serverEvent({ summary: 'A user left or was removed from a group', payload: memberEvent }),
  ...roleEvents,
  relocate: serverEvent({
    summary: 'This server no longer serves the user: reconnect through `GET /chat/location`',
    payload: relocateSchema,
  }),
  ...timelineServerEvents,
  ...sessionServerEvents,
} as const;

export type ServerEventName = keyof typeof serverEvents;
export type ServerPayloadOf<E extends ServerEventName> = z.output<(typeof serverEvents)[E]['payload']>;
export type PresenceBatch = ServerPayloadOf<'presence'>;

/** Events between chat servers through the adapter (`serverSideEmit`). */
export const interServerEvents = {
  'membership revoked': serverEvent({
    summary: 'Forget cached memberships of `room` (of one user, or of everyone when `up` is null)',
    payload: z.object({ room, up: upSchema.nullable() }),
  }),
  ...sessionInterServerEvents,
} as const;

export type InterServerEventName = keyof typeof interServerEvents;
