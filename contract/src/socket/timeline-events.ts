/**
 * The socket events of the group timeline: edit, delete, reactions, and the
 * one-step resume of every group (docs/design.md, One change stream per
 * group). Spread into the client → server and server → client maps.
 */
import { z } from 'zod';
import { LIMITS } from '../limits';
import { chatMessageSchema } from '../records';
import { groupIdField, objectIdField } from '../fields';
import { text } from '../text';
import { ALWAYS, clientEvent } from './client-event-spec';
import {
  TIMELINE_LIMITS, changesPageSchema, emojiField, revSchema,
} from '../timeline';

const CHANGE_ERRORS = [...ALWAYS, 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE'] as const;

const messageIdField = objectIdField.meta({ description: 'The message id (24 hex characters).' });

/** The changed message, as every member receives it. */
const changedResult = z.object({
  message: chatMessageSchema.meta({ description: 'The message in its new state, with its new `rev`.' }),
});

export const editMessageRequestSchema = z.object({
  room: groupIdField,
  id: messageIdField,
  message: text(LIMITS.messageLength).min(1, 'must not be empty')
    .refine((value) => value.trim().length > 0, 'must not be blank'),
  clientId: text(LIMITS.clientId).min(1).optional().meta({
    description: 'The idempotency key of this edit: a retry with the same `clientId` answers the message as it is, '
      + 'without applying the edit again (even after a later edit).',
  }),
});

export const messageRefRequestSchema = z.object({ room: groupIdField, id: messageIdField });

export const reactionRequestSchema = z.object({ room: groupIdField, id: messageIdField, emoji: emojiField });

export const resumeRequestSchema = z.object({
  groups: z.array(z.object({
    room: groupIdField,
    rev: revSchema.max(Number.MAX_SAFE_INTEGER)
      .meta({ description: 'The last `rev` the client holds for this group (0: none).' }),
  })).min(1).max(TIMELINE_LIMITS.resumeGroups),
});

const resumedGroupSchema = z.union([
  changesPageSchema(chatMessageSchema).extend({ room: groupIdField, ok: z.literal(true) }),
  z.object({
    room: groupIdField,
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]);

export const resumeResultSchema = z.object({
  groups: z.array(resumedGroupSchema).meta({
    description: 'One answer per group asked, in the order asked: what it missed, or why it was refused '
      + '(FORBIDDEN: not a member; NOT_FOUND: no such group; UNAVAILABLE).',
  }),
});

export const timelineClientEvents = {
  'edit message': clientEvent({
    summary: 'Edit one of the caller\'s messages',
    description: 'The author only (FORBIDDEN otherwise), within the edit window (`EDIT_WINDOW_S`, unlimited by '
      + 'default; FORBIDDEN after it), not on a deleted message (NOT_FOUND). The message keeps its `seq`, shows '
      + '`editedAt`, takes the group\'s next `rev`; history and the recent buffer hold the new text. Every '
      + 'member receives `message updated`. Mentions in the new text are resolved again.',
    request: editMessageRequestSchema,
    result: changedResult,
    errors: [...CHANGE_ERRORS, 'PAYLOAD_TOO_LARGE'],
  }),
  'delete message': clientEvent({
    summary: 'Delete a message: its author, or a group owner or admin',
    description: 'Leaves a tombstone: the `seq` stays (order has no gap), `deleted: true` and `deletedAt` are set, '
      + 'the text, mentions and reactions are gone from storage, the recent buffer and history, and replies '
      + 'quoting it show it as deleted (each such reply changes too, with its own `rev`). Deleting a deleted '
      + 'message answers the tombstone again (idempotent). Every member receives `message updated`.',
    request: messageRefRequestSchema,
    result: changedResult,
    errors: CHANGE_ERRORS,
  }),
  'add reaction': clientEvent({
    summary: 'React to a message with an emoji (idempotent)',
    description: 'Members only. One reaction per user, message and emoji: adding it again changes nothing. At most '
      + `${TIMELINE_LIMITS.reactionEmoji} distinct emoji per message (CONFLICT for a new one beyond). Every member `
      + 'receives `message updated` with the counts.',
    request: reactionRequestSchema,
    result: changedResult,
    errors: [...CHANGE_ERRORS, 'CONFLICT'],
  }),
  'remove reaction': clientEvent({
    summary: 'Take back one\'s reaction (idempotent)',
    description: 'Members only. Removing a reaction one does not have changes nothing.',
    request: reactionRequestSchema,
    result: changedResult,
    errors: CHANGE_ERRORS,
  }),
  resume: clientEvent({
    summary: 'After a reconnect: what every group missed, in one step',
    description: `Up to ${TIMELINE_LIMITS.resumeGroups} groups, each with the last \`rev\` the client holds. `
      + 'Each group answers the current state of every message changed or added after that `rev`, each message '
      + `once, in \`rev\` order, at most ${TIMELINE_LIMITS.resumeChanges} (then \`hasMore\`: ask again from the last `
      + 'item\'s `rev`). The socket (re)joins each group\'s room first, so nothing changed meanwhile is missed. '
      + 'Short absences are answered from the recent buffer, longer ones by an indexed query; never a history scan.',
    request: resumeRequestSchema,
    result: resumeResultSchema,
    errors: [...ALWAYS, 'UNAVAILABLE'],
  }),
} as const;

export const mentionedSchema = z.object({
  room: groupIdField,
  id: z.string().meta({ description: 'The message that mentions the caller.' }),
  seq: z.number().int().min(1),
  up: z.string().meta({ description: 'Its author.' }),
});

export const timelineServerEvents = {
  'message updated': {
    summary: 'A message of one of the caller\'s groups changed (edit, delete, reaction, reply quote): its new state',
    payload: chatMessageSchema,
  },
  mentioned: {
    summary: 'A new message mentions the caller (sent to the caller\'s own sockets only)',
    payload: mentionedSchema,
  },
} as const;
