/**
 * The REST routes of the group timeline (docs/design.md, One change stream per
 * group): edit, delete and reactions on the chat server (public, members only)
 * and on the data service (internal, where they are serialized and take the
 * group's next `rev`), and the changes of a group since a revision.
 */
import { z } from 'zod';
import { LIMITS } from '../limits';
import { chatMessageSchema, EXACT, storedMessageSchema } from '../records';
import {
  clientIdField, groupIdField, messageIdListQuery, messageTextField, objectIdField, upField, wholeNumberQuery,
  withDefault,
} from '../fields';
import {
  TIMELINE_LIMITS, changesPageSchema, emojiField, ownReactionsSchema,
} from '../timeline';
import { defineRoute } from './route';

const revAfterQuery = wholeNumberQuery(0, Number.MAX_SAFE_INTEGER);
const changesLimitQuery = wholeNumberQuery(1, TIMELINE_LIMITS.resumeChanges);
const changesQuery = z.strictObject({
  after: withDefault(revAfterQuery, 0),
  limit: withDefault(changesLimitQuery, LIMITS.pageSize),
});

const chatMessageParams = z.strictObject({ group: groupIdField, id: objectIdField });
const chatReactionParams = z.strictObject({ group: groupIdField, id: objectIdField, emoji: emojiField });

const MEMBER_CHANGE = ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE'] as const;
const changed = { 200: { description: 'The message in its new state, with its new `rev`.', schema: chatMessageSchema } };

const messagesQuery = z.strictObject({ messages: messageIdListQuery });
const ownReactions = {
  200: { description: 'The emoji the person reacted with, per message (messages without one are left out).', schema: ownReactionsSchema },
};

export const timelineChatRoutes = {
  myReactions: defineRoute({
    method: 'get',
    path: '/chat/{group}/reactions/mine',
    summary: 'The caller\'s own reactions on some messages of the group (members only)',
    description: `A message lists at most ${TIMELINE_LIMITS.reactorsListed} reactors per emoji; this tells the caller `
      + 'whether they are among the others. Messages of another group, or unknown, are left out.',
    auth: 'bearer',
    params: z.strictObject({ group: groupIdField }),
    query: messagesQuery,
    responses: ownReactions,
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  editMessage: defineRoute({
    method: 'patch',
    path: '/chat/{group}/message/{id}',
    summary: 'Edit one of the caller\'s messages (author only, within `EDIT_WINDOW_S`)',
    description: 'As the socket event `edit message`: the room receives `message updated`. A retry with the same `clientId` does not apply twice.',
    auth: 'bearer',
    params: chatMessageParams,
    body: z.strictObject({ message: messageTextField, clientId: clientIdField.optional() }),
    responses: changed,
    errors: [...MEMBER_CHANGE, 'PAYLOAD_TOO_LARGE'],
  }),
  deleteMessage: defineRoute({
    method: 'delete',
    path: '/chat/{group}/message/{id}',
    summary: 'Delete a message (its author, or a group owner or admin): a tombstone keeps its `seq`',
    description: 'As the socket event `delete message`. Idempotent: deleting a tombstone answers it again.',
    auth: 'bearer',
    params: chatMessageParams,
    responses: changed,
    errors: MEMBER_CHANGE,
  }),
  addReaction: defineRoute({
    method: 'put',
    path: '/chat/{group}/message/{id}/reactions/{emoji}',
    summary: 'React with an emoji (members only; idempotent)',
    description: `At most ${TIMELINE_LIMITS.reactionEmoji} distinct emoji per message (409 for a new one beyond). The emoji is URL-encoded in the path.`,
    auth: 'bearer',
    params: chatReactionParams,
    responses: changed,
    errors: [...MEMBER_CHANGE, 'CONFLICT'],
  }),
  removeReaction: defineRoute({
    method: 'delete',
    path: '/chat/{group}/message/{id}/reactions/{emoji}',
    summary: 'Take back a reaction (members only; idempotent)',
    auth: 'bearer',
    params: chatReactionParams,
    responses: changed,
    errors: MEMBER_CHANGE,
  }),
  changes: defineRoute({
    method: 'get',
    path: '/chat/{group}/changes',
    summary: 'What changed in a group after a revision (members only): each changed message once, in `rev` order',
    description: 'The REST form of one group of the socket event `resume`.',
    auth: 'bearer',
    params: z.strictObject({ group: groupIdField }),
    query: changesQuery,
    responses: { 200: { description: 'The changes.', schema: changesPageSchema(chatMessageSchema) } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
} as const;

/** What a change answers inside the services: the target's new state and every message it changed, in `rev` order. */
export const changeResultSchema = z.object({
  message: storedMessageSchema,
  changes: z.array(storedMessageSchema).meta({
    description: 'Every message this change touched, in its new state and `rev` order (the target, and for a '
      + 'delete the replies quoting it). A retry or an idempotent repeat answers the target as it is, at its '
      + 'current `rev`, so a change whose delivery was lost is delivered again (clients keep the highest `rev`).',
  }),
}).meta(EXACT);
export type ChangeResult = z.infer<typeof changeResultSchema>;

const idParams = z.strictObject({ id: objectIdField });
const DATA_CHANGE = [
  'VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE',
] as const;
const dataChanged = { 200: { description: 'The change as applied.', schema: changeResultSchema } };
const actor = {
  group: objectIdField.meta({ description: 'The group the caller names: a message of another group is a 404.' }),
  by: upField.meta({ description: 'Who acts (the chat server checked the token).' }),
};

export const editRequestSchema = z.strictObject({
  ...actor, message: messageTextField, clientId: clientIdField.optional(),
});
export type EditRequest = z.infer<typeof editRequestSchema>;
export const deleteRequestSchema = z.strictObject(actor);
export type DeleteRequest = z.infer<typeof deleteRequestSchema>;
export const reactRequestSchema = z.strictObject({
  ...actor, emoji: emojiField, add: z.boolean().meta({ description: 'true: add the reaction; false: remove it.' }),
});
export type ReactRequest = z.infer<typeof reactRequestSchema>;

export const timelineDataRoutes = {
  reactionsOfUser: defineRoute({
    method: 'get',
    path: '/group/{id}/reactions/{up}',
    summary: 'One member\'s reactions on some messages of the group (index (message, at))',
    auth: 'internal',
    params: z.strictObject({ id: objectIdField, up: upField }),
    query: messagesQuery,
    responses: ownReactions,
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  editMessage: defineRoute({
    method: 'post',
    path: '/message/{id}/edit',
    summary: 'Edit a message (its author only, within EDIT_WINDOW_S); takes the group\'s next rev',
    auth: 'internal',
    params: idParams,
    body: editRequestSchema,
    responses: dataChanged,
    errors: DATA_CHANGE,
  }),
  deleteMessage: defineRoute({
    method: 'post',
    path: '/message/{id}/delete',
    summary: 'Delete a message (its author, or a group owner or admin): a tombstone',
    description: 'Text, mentions, reactions and any text-derived field are removed; replies quoting it are marked, each with its own rev.',
    auth: 'internal',
    params: idParams,
    body: deleteRequestSchema,
    responses: dataChanged,
    errors: DATA_CHANGE,
  }),
  reactToMessage: defineRoute({
    method: 'post',
    path: '/message/{id}/reactions',
    summary: 'Add or remove one member\'s reaction (idempotent; one document per reaction)',
    auth: 'internal',
    params: idParams,
    body: reactRequestSchema,
    responses: dataChanged,
    errors: [...DATA_CHANGE, 'CONFLICT'],
  }),
  groupChanges: defineRoute({
    method: 'get',
    path: '/group/{id}/changes',
    summary: "A group's changed messages after a revision, in rev order (index (group, rev))",
    auth: 'internal',
    params: idParams,
    query: changesQuery,
    responses: { 200: { description: 'The changes.', schema: changesPageSchema(storedMessageSchema) } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
} as const;
