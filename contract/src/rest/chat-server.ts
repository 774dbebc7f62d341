/**
 * The chat server's public REST API: accounts and tokens (`/auth`), and the
 * chat routes (`/chat`): groups, members, history by page or by seq cursor,
 * the seed's request bundle. Every `/chat` route needs the caller's token;
 * group routes are for members only.
 */
import { z } from 'zod';
import { LIMITS } from '../limits';
import {
  chatMessageSchema, cursorPageSchema, EXACT, groupForUserSchema, groupSchema, offsetPageSchema, userSchema,
} from '../records';
import { loginSchema, newUserSchema } from './data-service';
import {
  groupIdField, groupNameField, pageQuery, pageSizeQuery, seqAfterQuery, seqBeforeQuery, upField, withDefault,
} from '../fields';
import { accessTokenShape, accountChatRoutes } from './account';
import { locationRoute } from './location';
import { notificationChatRoutes } from './notifications';
import { chatFileRoutes } from './files';
import { operationRoutes } from './operations';
import { chatServerRoleRoutes } from './roles';
import { defineRoute } from './route';
import { timelineChatRoutes } from './timeline';
import { chatSearchRoutes } from './search';

export const authResultSchema = z.object({
  ...accessTokenShape,
  /** Renews `token` through `POST /auth/refresh`; rotated on each use. */
  refreshToken: z.string(),
  user: userSchema,
}).meta(EXACT);

/** One of the caller's groups, with where they stopped reading and its newest message. */
export const groupSummarySchema = groupForUserSchema
  .extend({ lastMessage: z.union([chatMessageSchema, z.null()]) }).meta(EXACT);
export type GroupSummary = z.infer<typeof groupSummarySchema>;

export const createGroupRequestSchema = z.strictObject({
  name: groupNameField,
  /** Members besides the caller (who is always added). */
  users: z.array(upField).max(LIMITS.groupMembers),
});

const groupParams = z.strictObject({ group: groupIdField });
const memberParams = z.strictObject({ group: groupIdField, up: upField });

export const historyQuerySchema = z.strictObject({
  page: pageQuery.optional(),
  perPage: pageSizeQuery.optional(),
  before: seqBeforeQuery.optional(),
  after: seqAfterQuery.optional(),
  limit: pageSizeQuery.optional(),
}).superRefine((q, ctx) => {
  const cursor = q.before !== undefined || q.after !== undefined || q.limit !== undefined;
  if (cursor && (q.page !== undefined || q.perPage !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'use either page/perPage or before/after/limit, not both' });
  }
  if (q.before !== undefined && q.after !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'use before or after, not both' });
  }
});

export const BUNDLE_PAGE_SIZE = 20;

const MEMBER_WRITE = ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'UNAVAILABLE'] as const;

export const chatServerRoutes = {
  ...operationRoutes,
  ...notificationChatRoutes,
  ...accountChatRoutes,
  register: defineRoute({
    method: 'post',
    path: '/auth/register',
    summary: 'Create an account and get a token',
    description: 'The password is hashed by the data service (argon2id); it is never stored or returned in clear. Rate-limited per IP address together with `/auth/login`.',
    auth: 'none',
    body: newUserSchema,
    responses: { 201: { description: 'The account and a token for it.', schema: authResultSchema } },
    errors: ['VALIDATION_FAILED', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'UNAVAILABLE'],
  }),
  login: defineRoute({
    method: 'post',
    path: '/auth/login',
    summary: 'Log in with user number or username, and get a token',
    description: 'A wrong password and an unknown user get the same 401. Rate-limited per IP address.',
    auth: 'none',
    body: loginSchema,
    responses: { 200: { description: 'The user and a fresh token.', schema: authResultSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'UNAVAILABLE'],
  }),
  me: defineRoute({
    method: 'get',
    path: '/auth/me',
    summary: "The caller's account",
    auth: 'bearer',
    responses: { 200: { description: 'The caller.', schema: z.object({ user: userSchema }) } },
    errors: ['UNAUTHORIZED', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  location: locationRoute,
  ...chatFileRoutes,
  listGroups: defineRoute({
    method: 'get',
    path: '/chat/groups',
    summary: "The caller's groups, with read positions, unread counts, roles (`owner`, `admins`) and each group's newest message",
    auth: 'bearer',
    responses: {
      200: {
        description: 'Every group the caller is a member of.',
        schema: z.object({ items: z.array(groupSummarySchema) }),
      },
    },
    errors: ['UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  createGroup: defineRoute({
    method: 'post',
    path: '/chat/groups',
    summary: 'Create a group',
    description: "The caller becomes a member and the creator. Every member's sockets, on every chat server, enter the group's room at once and receive `group created`.",
    auth: 'bearer',
    body: createGroupRequestSchema,
    responses: { 201: { description: 'The new group.', schema: groupSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
  renameGroup: defineRoute({
    method: 'patch',
    path: '/chat/groups/{group}',
    summary: 'Rename a group (owner and admins); members receive `group updated`',
    auth: 'bearer',
    params: groupParams,
    body: z.strictObject({ name: groupNameField }),
    responses: { 200: { description: 'The renamed group.', schema: groupSchema } },
    errors: [...MEMBER_WRITE, 'PAYLOAD_TOO_LARGE'],
  }),
  deleteGroup: defineRoute({
    method: 'delete',
    path: '/chat/groups/{group}',
    summary: 'Delete a group (owner only); members receive `group deleted` and leave the room',
    auth: 'bearer',
    params: groupParams,
    responses: { 204: { description: 'Deleted, with its memberships and messages.' } },
    errors: MEMBER_WRITE,
  }),
  listMembers: defineRoute({
    method: 'get',
    path: '/chat/groups/{group}/members',
    summary: "The group's members (members only)",
    auth: 'bearer',
    params: groupParams,
    responses: { 200: { description: 'Every member.', schema: z.object({ items: z.array(userSchema) }) } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'UNAVAILABLE'],
  }),
  addMembers: defineRoute({
    method: 'post',
    path: '/chat/groups/{group}/members',
    summary: 'Add members (owner and admins)',
    description: "Users already in the group are fine; new members join as `member`. New members' sockets enter the room on every chat server; the room receives `member joined` for each and `group updated`.",
    auth: 'bearer',
    params: groupParams,
    body: z.strictObject({ users: z.array(upField).min(1).max(LIMITS.groupMembers) }),
    responses: { 200: { description: 'The group with its new members.', schema: groupSchema } },
    errors: [...MEMBER_WRITE, 'PAYLOAD_TOO_LARGE'],
  }),
  removeMember: defineRoute({
    method: 'delete',
    path: '/chat/groups/{group}/members/{up}',
    summary: 'Leave (your own up) or remove a member (owner and admins; nobody removes the owner)',
    description: 'The room and the removed user receive `member left`; their sockets leave the room on every chat server. When the owner leaves, the longest-standing admin (else the longest-standing member) becomes the owner and the room receives `member role` and `group updated`. When the last member leaves, the group is deleted (the answer lists no members) and `group deleted` is sent.',
    auth: 'bearer',
    params: memberParams,
    responses: { 200: { description: 'The group without that member.', schema: groupSchema } },
    errors: MEMBER_WRITE,
  }),
  ...chatServerRoleRoutes,
  requestBundle: defineRoute({
    method: 'get',
    path: '/chat/message',
    summary: "The seed's request bundle — each of the caller's groups with its newest messages",
    auth: 'bearer',
    query: z.strictObject({ perPage: withDefault(pageSizeQuery, BUNDLE_PAGE_SIZE) }),
    responses: {
      200: {
        description: 'Every group of the caller and its newest `perPage` messages (ascending `seq`).',
        schema: z.object({
          groups: z.array(z.object({ group: groupForUserSchema, messages: z.array(chatMessageSchema) })),
        }),
      },
    },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  history: defineRoute({
    method: 'get',
    path: '/chat/{group}/message',
    summary: "A group's history (members only), by page or by seq cursor",
    description: 'Two ways, not mixed: `page`/`perPage` (the seed\'s; page 0 is the newest `perPage` messages, 50 by default), or a cursor on `seq`: `before=S` gives the `limit` messages before S, `after=S` the `limit` messages after S, neither gives the newest `limit` (50 by default). Items are always in ascending `seq`.',
    auth: 'bearer',
    params: groupParams,
    query: historyQuerySchema,
    responses: {
      200: {
        description: 'One page of messages.',
        schema: z.union([offsetPageSchema(chatMessageSchema), cursorPageSchema(chatMessageSchema)]),
      },
    },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'UNAVAILABLE'],
  }),
  ...timelineChatRoutes,
  ...chatSearchRoutes,
} as const;
