/**
 * The data service (`mongo-chat-server/`): internal REST over groups, messages
 * and users, with pagination. Loopback or the internal network only; every
 * route but the operations ones needs the `x-internal-token` header.
 */
import { z } from 'zod';
import { attachmentIdsField } from '../attachments';
import { errorDetailSchema } from '../errors';
import { LIMITS } from '../limits';
import {
  cursorPageSchema, EXACT, groupForUserSchema, groupMembershipSchema, groupSchema, offsetPageSchema, readPositionSchema,
  storedMessageSchema, userSchema,
} from '../records';
import { textField } from '../text';
import {
  clientIdField, DEFAULT_PAGE_SIZE, groupNameField, messageTextField, objectIdField, offsetQueryShape, pageSizeQuery,
  personNameField, seqAfterQuery, seqBeforeQuery, seqField, upField, upListQuery, usernameField, withDefault,
} from '../fields';
import { notificationDataRoutes } from './notifications';
import { accountDataRoutes } from './account';
import { dataFileRoutes } from './files';
import { operationRoutes } from './operations';
import { actorQuerySchema, dataServiceRoleRoutes } from './roles';
import { defineRoute } from './route';
import { timelineDataRoutes } from './timeline';
import { dataSearchRoutes } from './search';

const idParams = z.strictObject({ id: objectIdField });
const upParams = z.strictObject({ up: upField });
const memberParams = z.strictObject({ id: objectIdField, up: upField });
const offsetQuery = z.strictObject(offsetQueryShape);

export const newUserSchema = z.strictObject({
  up: upField,
  username: usernameField,
  name: personNameField,
  password: textField(LIMITS.passwordMin, LIMITS.passwordMax).meta({ writeOnly: true }),
});
export type NewUser = z.infer<typeof newUserSchema>;

export const loginSchema = z.strictObject({
  up: upField.optional(),
  username: textField(1, LIMITS.username).optional(),
  password: textField(1, LIMITS.passwordMax).meta({ writeOnly: true }),
}).refine((b) => (b.up === undefined) !== (b.username === undefined), { message: 'give exactly one of up or username' })
  .meta({ description: 'Exactly one of `up` and `username`.' });
export type LoginRequest = z.infer<typeof loginSchema>;

export const userUpdateSchema = z.strictObject({
  username: usernameField.optional(),
  name: personNameField.optional(),
  online: z.boolean().optional(),
}).refine((b) => Object.keys(b).length > 0, { message: 'give at least one of username, name, online' })
  .meta({ minProperties: 1 });
export type UserUpdate = z.infer<typeof userUpdateSchema>;

const presenceList = z.array(upField).max(LIMITS.presenceBatch).default([]);
export const presenceSchema = z.strictObject({ online: presenceList, offline: presenceList })
  .refine((b) => b.online.length + b.offline.length > 0, { message: 'give at least one user in online or offline' })
  .refine((b) => !b.online.some((up) => b.offline.includes(up)), { message: 'a user cannot be both online and offline' });

export const presenceResultSchema = z.object({
  lastSeen: z.string(),
  /** Users whose state changed. */
  updated: z.number().int().min(0),
}).meta(EXACT);

export const newGroupSchema = z.strictObject({
  name: groupNameField,
  users: z.array(upField).max(LIMITS.groupMembers),
  createdBy: upField.optional(),
});
export type NewGroup = z.infer<typeof newGroupSchema>;

export const newMessageSchema = z.strictObject({
  group: objectIdField,
  from: upField,
  message: messageTextField,
  clientId: clientIdField.optional(),
  /** A message of the same group this one answers (404 otherwise). */
  replyTo: objectIdField.optional(),
  attachments: attachmentIdsField.optional(),
}).meta({ id: 'NewMessage' });
export type NewMessage = z.infer<typeof newMessageSchema>;

/** Each item is checked on its own (a bad one fails alone), so the body only bounds the list; items are `NewMessage`s. */
const batchItem = z.unknown().meta({ $ref: '#/components/schemas/NewMessage' });

export const batchResultSchema = z.union([
  z.object({ ok: z.literal(true), status: z.union([z.literal(200), z.literal(201)]), message: storedMessageSchema }),
  z.object({ ok: z.literal(false), error: errorDetailSchema }),
]);
export type BatchResult = z.infer<typeof batchResultSchema>;

const groupIdsSchema = z.object({
  items: z.array(z.object({ up: z.string(), groups: z.array(z.string()).max(LIMITS.groupRoomsPerSocket) })),
});

const READ = ['VALIDATION_FAILED', 'UNAUTHORIZED', 'UNAVAILABLE'] as const;
const READ_ONE = ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND', 'UNAVAILABLE'] as const;
const WRITE = ['VALIDATION_FAILED', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'] as const;
const WRITE_ONE = ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'] as const;

const json = <S extends z.ZodType>(description: string, schema: S) => ({ description, schema });

export const dataServiceRoutes = {
  ...operationRoutes,
  ...notificationDataRoutes,
  ...accountDataRoutes,
  ...dataFileRoutes,
  listUsers: defineRoute({
    method: 'get',
    path: '/user',
    summary: "List users (the seed's GET /user), or just the given user numbers",
    description: 'Sorted by user number. With `ups`, only those users (unknown ones are simply absent).',
    auth: 'internal',
    query: z.strictObject({ ...offsetQueryShape, ups: upListQuery.optional() }),
    responses: { 200: json('One page of users.', offsetPageSchema(userSchema)) },
    errors: READ,
  }),
  createUser: defineRoute({
    method: 'post',
    path: '/user',
    summary: 'Create a user',
    description: 'The password is hashed here with argon2id; the hash never leaves the data service.',
    auth: 'internal',
    body: newUserSchema,
    responses: { 201: json('The new user.', userSchema) },
    errors: [...WRITE, 'CONFLICT'],
  }),
  login: defineRoute({
    method: 'post',
    path: '/user/login',
    summary: "Check a user's password",
    description: 'Exactly one of `up` or `username`. A wrong password and an unknown user get the same 401.',
    auth: 'internal',
    body: loginSchema,
    responses: { 200: json('The user whose password matched.', userSchema) },
    errors: WRITE,
  }),
  setPresence: defineRoute({
    method: 'post',
    path: '/user/presence',
    summary: 'Store that many users went online or offline',
    description: "A chat server's presence changes, gathered: one write per state, not one per user. Every user named gets `online` and `lastSeen` (now). Unknown users are skipped. A user may not be in both lists.",
    auth: 'internal',
    body: presenceSchema,
    responses: { 200: json('Stored.', presenceResultSchema) },
    errors: WRITE,
  }),
  getUser: defineRoute({
    method: 'get',
    path: '/user/{up}',
    summary: 'One user',
    auth: 'internal',
    params: upParams,
    responses: { 200: json('The user.', userSchema) },
    errors: READ_ONE,
  }),
  updateUser: defineRoute({
    method: 'post',
    path: '/user/{up}',
    summary: "Update a user (the seed's update)",
    description: 'Any of `username`, `name`, `online` (at least one). Setting `online` (true or false) sets `lastSeen` to now.',
    auth: 'internal',
    params: upParams,
    body: userUpdateSchema,
    responses: { 200: json('The updated user.', userSchema) },
    errors: [...WRITE_ONE, 'CONFLICT'],
  }),
  listGroups: defineRoute({
    method: 'get',
    path: '/group',
    summary: "List groups (the seed's GET /group)",
    description: 'In creation order.',
    auth: 'internal',
    query: offsetQuery,
    responses: { 200: json('One page of groups.', offsetPageSchema(groupSchema)) },
    errors: READ,
  }),
  createGroup: defineRoute({
    method: 'post',
    path: '/group',
    summary: 'Create a group',
    description: `Members are \`users\` plus \`createdBy\`; every one must exist (400 names the unknown ones); 1 to ${LIMITS.groupMembers} members.`,
    auth: 'internal',
    body: newGroupSchema,
    responses: { 201: json('The new group.', groupSchema) },
    errors: WRITE,
  }),
  groupMessagesByPage: defineRoute({
    method: 'get',
    path: '/group/messages',
    summary: "A group's messages, page by page (the seed's route)",
    description: 'Page 0 is the newest `perPage` messages; inside a page, ascending `seq`. `total` is the number of messages in the group. Pages are seq ranges (seqs have no gaps), so deep pages cost no more than the first.',
    auth: 'internal',
    query: z.strictObject({ groupID: objectIdField, ...offsetQueryShape }),
    responses: { 200: json('One page of messages.', offsetPageSchema(storedMessageSchema)) },
    errors: READ_ONE,
  }),
  groupIdsOfUsers: defineRoute({
    method: 'get',
    path: '/group/ids',
    summary: 'The ids of the groups of up to 100 users, in one query',
    description: `What a chat server asks when sockets connect: lookups that arrive together are sent as one call, so a crowd reconnecting costs a few queries, not one per user. Each user's groups are sorted by id, at most ${LIMITS.groupRoomsPerSocket} of them; an unknown user has none. One entry per distinct user asked for, in the order asked.`,
    auth: 'internal',
    query: z.strictObject({ ups: upListQuery }),
    responses: { 200: json('One entry per distinct user asked for, in the order asked.', groupIdsSchema) },
    errors: READ,
  }),
  groupsOfUser: defineRoute({
    method: 'get',
    path: '/group/user/{up}',
    summary: "The groups of a user (the seed's route), with their read position",
    auth: 'internal',
    params: upParams,
    query: offsetQuery,
    responses: { 200: json("One page of the user's groups, in creation order.", offsetPageSchema(groupForUserSchema)) },
    errors: READ_ONE,
  }),
  getGroup: defineRoute({
    method: 'get',
    path: '/group/{id}',
    summary: 'One group',
    auth: 'internal',
    params: idParams,
    responses: { 200: json('The group.', groupSchema) },
    errors: READ_ONE,
  }),
  renameGroup: defineRoute({
    method: 'patch',
    path: '/group/{id}',
    summary: 'Rename a group',
    description: 'With `by`: owners and admins only (403).',
    auth: 'internal',
    params: idParams,
    query: actorQuerySchema,
    body: z.strictObject({ name: groupNameField }),
    responses: { 200: json('The renamed group.', groupSchema) },
    errors: [...WRITE_ONE, 'FORBIDDEN'],
  }),
  deleteGroup: defineRoute({
    method: 'delete',
    path: '/group/{id}',
    summary: 'Delete a group, its memberships and its messages',
    description: 'With `by`: the owner only (403).',
    auth: 'internal',
    params: idParams,
    query: actorQuerySchema,
    responses: { 204: { description: 'Deleted.' } },
    errors: [...READ_ONE, 'FORBIDDEN'],
  }),
  addMembers: defineRoute({
    method: 'post',
    path: '/group/{id}/members',
    summary: 'Add members',
    description: 'Users who are already members are fine; unknown users are a 400 naming them. New members join as `member`. With `by`: owners and admins only (403).',
    auth: 'internal',
    params: idParams,
    query: actorQuerySchema,
    body: z.strictObject({ users: z.array(upField).min(1).max(LIMITS.groupMembers) }),
    responses: { 200: json('The group with its members.', groupSchema) },
    errors: [...WRITE_ONE, 'FORBIDDEN'],
  }),
  getMembership: defineRoute({
    method: 'get',
    path: '/group/{id}/members/{up}',
    summary: 'Is this user a member? (one indexed lookup; chat servers ask on every join)',
    auth: 'internal',
    params: memberParams,
    responses: { 200: json("The membership and the member's read position.", groupMembershipSchema) },
    errors: READ_ONE,
  }),
  removeMember: defineRoute({
    method: 'delete',
    path: '/group/{id}/members/{up}',
    summary: 'Remove a member, or leave (`by` is the member)',
    description: 'With `by` someone else: owners and admins only, and nobody removes the owner (403). When the owner leaves, the longest-standing admin becomes the owner, else the longest-standing member. When the last member leaves, the group is deleted with its messages: the answer then lists no members and no owner.',
    auth: 'internal',
    params: memberParams,
    query: actorQuerySchema,
    responses: { 200: json('The group without that member.', groupSchema) },
    errors: [...READ_ONE, 'FORBIDDEN'],
  }),
  ...dataServiceRoleRoutes,
  markRead: defineRoute({
    method: 'put',
    path: '/group/{id}/read/{up}',
    summary: "Move a member's read position forward",
    description: 'Never goes back (a smaller seq leaves it as it is); a seq beyond the newest message is a 400.',
    auth: 'internal',
    params: memberParams,
    body: z.strictObject({ seq: seqField }),
    responses: { 200: json('The read position now.', readPositionSchema) },
    errors: WRITE_ONE,
  }),
  groupMessagesByCursor: defineRoute({
    method: 'get',
    path: '/group/{id}/messages',
    summary: "A group's messages by seq cursor",
    description: '`before=S`: the `limit` messages just before seq S; `after=S`: the `limit` messages just after seq S; neither: the newest `limit`. Items in ascending seq; `hasMore` says whether more exist beyond the page in that direction.',
    auth: 'internal',
    params: idParams,
    query: z.strictObject({
      before: seqBeforeQuery.optional(),
      after: seqAfterQuery.optional(),
      limit: withDefault(pageSizeQuery, DEFAULT_PAGE_SIZE),
    }).refine((q) => q.before === undefined || q.after === undefined, { message: 'give before or after, not both' }),
    responses: { 200: json('One page of messages.', cursorPageSchema(storedMessageSchema)) },
    errors: READ_ONE,
  }),
  listMessages: defineRoute({
    method: 'get',
    path: '/message',
    summary: "All messages of all groups, newest first (the seed's GET /message)",
    auth: 'internal',
    query: offsetQuery,
    responses: { 200: json('One page of messages.', offsetPageSchema(storedMessageSchema)) },
    errors: READ,
  }),
  storeMessage: defineRoute({
    method: 'post',
    path: '/message',
    summary: 'Store a message',
    description: 'The data service assigns `seq` (per group, no gap). Idempotent by `clientId`: a retry with the same group and clientId returns the message stored first (200), never a second copy; a clientId is generated when none is given. `from` must be a member (403).',
    auth: 'internal',
    body: newMessageSchema,
    responses: {
      201: json('Stored now.', storedMessageSchema),
      200: json('A retry; the message stored first.', storedMessageSchema),
    },
    errors: [...WRITE_ONE, 'FORBIDDEN', 'CONFLICT'],
  }),
  storeMessages: defineRoute({
    method: 'post',
    path: '/message/batch',
    summary: `Store up to ${LIMITS.pageSize} messages in one call`,
    description: 'Each item is stored (or refused) on its own, exactly as `POST /message` would; `results` answers in input order.',
    auth: 'internal',
    body: z.strictObject({ messages: z.array(batchItem).min(1).max(LIMITS.pageSize) }),
    responses: { 200: json('One result per item.', z.object({ results: z.array(batchResultSchema) })) },
    errors: WRITE,
  }),
  getMessage: defineRoute({
    method: 'get',
    path: '/message/{id}',
    summary: 'One message',
    auth: 'internal',
    params: idParams,
    responses: { 200: json('The message.', storedMessageSchema) },
    errors: READ_ONE,
  }),
  ...timelineDataRoutes,
  ...dataSearchRoutes,
} as const;
