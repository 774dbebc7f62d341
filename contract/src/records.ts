/**
 * The records every part exchanges, as they travel in JSON: declared once as
 * zod schemas, with the TypeScript types inferred from them. The data service
 * answers with these, the chat server checks what it receives against them
 * (unknown fields stripped), and the generated documents describe them.
 */
import { z } from 'zod';
import { timelineFields } from './timeline';
import { attachmentRefSchema } from './attachments';

const isoTime = z.string().min(1);

/**
 * The documents promise that answers carry exactly the declared fields (a test
 * holds every service to it); parsing an answer still strips unknown fields.
 */
export const EXACT = { additionalProperties: false } as const;
const count = z.number().int().min(0);

/** A user number: the seed's UP number, digits in practice. */
export const upSchema = z.string();
export type Up = z.infer<typeof upSchema>;

export const userSchema = z.object({
  up: upSchema,
  username: z.string(),
  name: z.string(),
  online: z.boolean(),
  /** ISO time the user was last connected, or null if never. */
  lastSeen: isoTime.nullable(),
  createdAt: isoTime,
}).meta({ id: 'User', ...EXACT });
export type User = z.infer<typeof userSchema>;

export const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The members' user numbers. */
  users: z.array(upSchema),
  createdBy: upSchema.nullable(),
  /** The member who owns the group (null only once the group has no members, as the last one leaves). */
  owner: upSchema.nullable(),
  /** The admins' user numbers (the owner is not listed here); every other member of `users` is a plain member. */
  admins: z.array(upSchema),
  /** The `seq` of the group's newest message (0 when empty). */
  lastSeq: count,
  createdAt: isoTime,
  updatedAt: isoTime,
}).meta({ id: 'Group', ...EXACT });
export type Group = z.infer<typeof groupSchema>;

/** A group as one of its members sees it: where they stopped reading. */
export const groupForUserSchema = groupSchema.extend({
  /** The newest `seq` this member has read (0: none). */
  lastReadSeq: count,
  /** Messages after `lastReadSeq`. */
  unread: count,
  /** Messages after `lastReadSeq` that mention this member (and are not deleted). */
  unreadMentions: count,
}).meta({ id: 'GroupForUser', ...EXACT });
export type GroupForUser = z.infer<typeof groupForUserSchema>;

/** One member of one group. */
export const groupMembershipSchema = z.object({
  group: z.string(),
  up: upSchema,
  lastReadSeq: count,
}).meta({ id: 'GroupMembership', ...EXACT });
export type GroupMembership = z.infer<typeof groupMembershipSchema>;

export const storedMessageSchema = z.object({
  id: z.string(),
  group: z.string(),
  /** Position in the group: 1, 2, 3, … with no gap. */
  seq: z.number().int().min(1),
  from: upSchema,
  message: z.string(),
  /** The sender's idempotency key: a retried send returns the first stored message. */
  clientId: z.string(),
  /** ISO time the message was stored. */
  timestamp: isoTime,
  ...timelineFields,
  /** The files the message carries (references, not bytes); absent when none. */
  attachments: z.array(attachmentRefSchema).optional(),
}).meta({ id: 'StoredMessage', ...EXACT });
export type StoredMessage = z.infer<typeof storedMessageSchema>;

/** A message as sockets deliver it (`chat message`) and the chat server's history routes list it. */
/**
 * A message as sockets and the public history routes deliver it: the one
 * message record above under the original protocol's field names. The mapping,
 * field by field: `room` is the record's `group`, `up` its `from`; `id`, `seq`,
 * `message`, `clientId` and `timestamp` are the record's own.
 */
export const chatMessageSchema = z.object({
  id: storedMessageSchema.shape.id,
  seq: storedMessageSchema.shape.seq,
  message: storedMessageSchema.shape.message,
  up: storedMessageSchema.shape.from.meta({ description: "The sender's user number (the record's `from`)." }),
  room: storedMessageSchema.shape.group.meta({ description: 'The group id (the record\'s `group`).' }),
  timestamp: storedMessageSchema.shape.timestamp,
  clientId: storedMessageSchema.shape.clientId,
  ...timelineFields,
  attachments: storedMessageSchema.shape.attachments,
}).meta({
  id: 'ChatMessage',
  ...EXACT,
  description: 'A stored message. Messages of one group carry `seq` 1, 2, 3, … with no gap: `seq` is the order. '
    + 'Live deliveries from two servers may cross by a few milliseconds and a catch-up can overlap a live '
    + 'delivery, so a client sorts by `seq` and drops a `seq` (or `id`) it already holds. A message that '
    + 'changes later (edit, delete, reaction) comes again with a higher `rev`: a client keeps, per message, '
    + 'the state with the highest `rev`.',
});
export type ChatMessagePayload = z.infer<typeof chatMessageSchema>;

const TIMELINE_KEYS = Object.keys(timelineFields) as Array<keyof typeof timelineFields>;

export const toChatMessage = (stored: StoredMessage): ChatMessagePayload => {
  const payload: ChatMessagePayload = {
    id: stored.id,
    seq: stored.seq,
    message: stored.message,
    up: stored.from,
    room: stored.group,
    timestamp: stored.timestamp,
    clientId: stored.clientId,
  };
  // Only the timeline fields a message has: the original protocol's payload stays as it was.
  TIMELINE_KEYS.forEach((key) => {
    if (stored[key] !== undefined) Object.assign(payload, { [key]: stored[key] });
  });
  if (stored.attachments?.length) payload.attachments = stored.attachments;
  return payload;
};

export const readPositionSchema = groupMembershipSchema;
export type ReadPosition = z.infer<typeof readPositionSchema>;

/** The seed's offset pagination: page 0 is the newest `perPage` messages. */
export const offsetPageSchema = <T extends z.ZodType>(item: T) => z.object({
  items: z.array(item),
  page: z.number().int(),
  perPage: z.number().int(),
  total: count,
}).meta(EXACT);
export interface OffsetPage<T> {
  items: T[];
  page: number;
  perPage: number;
  total: number;
}

/** Cursor pagination on `seq`; items are in ascending `seq` order. */
export const cursorPageSchema = <T extends z.ZodType>(item: T) => z.object({
  items: z.array(item),
  hasMore: z.boolean(),
}).meta(EXACT);
export interface CursorPage<T> {
  items: T[];
  hasMore: boolean;
}

/**
 * The dispatcher's suffix map. Every user number matches exactly one leaf (the
 * longest suffix of its digits, left-padded with zeros, that is a leaf); each
 * leaf names a live chat server, and `servers` lists every live chat server.
 */
export const placementMapSchema = z.object({
  /** Increases on every change; equal versions mean equal maps. */
  version: count,
  /** Suffix (digits, read from the right: "3", "03", "153") → chat server id. */
  leaves: z.record(z.string().regex(/^[0-9]{1,10}$/), z.string().min(1)),
  servers: z.record(z.string().min(1), z.object({ url: z.string() })),
}).meta({ id: 'PlacementMap', ...EXACT });
export type PlacementMapRecord = z.infer<typeof placementMapSchema>;
