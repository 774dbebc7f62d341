/**
 * Group roles over REST: promote or demote a member, transfer ownership, in
 * the data service (which enforces every role rule) and on the chat server
 * (which tells the members live). The role rules themselves are in `../roles`.
 */
import { z } from 'zod';
import { groupSchema } from '../records';
import { assignableRoleSchema } from '../roles';
import { groupIdField, objectIdField, upField } from '../fields';
import { defineRoute } from './route';

/**
 * `by`: the member on whose behalf a chat server asks. With it the data
 * service checks that member's role (403 when the role does not allow the
 * change); without it the call is an operator's and no role is checked.
 */
export const actorQuerySchema = z.strictObject({
  by: upField.optional().meta({ description: 'The member asking; their role is checked. Omitted: an operator call, no role check.' }),
});

export const setRoleBodySchema = z.strictObject({ role: assignableRoleSchema });
export const transferBodySchema = z.strictObject({
  up: upField.meta({ description: 'The member who becomes the owner.' }),
});

const ROLE_RULES = 'Owners and admins promote and demote; the owner\'s own role changes only through a transfer (409).';
const TRANSFER_RULES = 'Only the owner transfers; the new owner must be a member (404 otherwise) and the former owner becomes an admin. Transferring to the current owner changes nothing.';

export const dataServiceRoleRoutes = {
  setMemberRole: defineRoute({
    method: 'put',
    path: '/group/{id}/members/{up}/role',
    summary: 'Make a member an admin, or an admin a member',
    description: ROLE_RULES,
    auth: 'internal',
    params: z.strictObject({ id: objectIdField, up: upField }),
    query: actorQuerySchema,
    body: setRoleBodySchema,
    responses: { 200: { description: 'The group with its roles now.', schema: groupSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
  transferOwnership: defineRoute({
    method: 'post',
    path: '/group/{id}/owner',
    summary: 'Transfer ownership of a group to another member',
    description: TRANSFER_RULES,
    auth: 'internal',
    params: z.strictObject({ id: objectIdField }),
    query: actorQuerySchema,
    body: transferBodySchema,
    responses: { 200: { description: 'The group with its new owner.', schema: groupSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
} as const;

export const chatServerRoleRoutes = {
  setMemberRole: defineRoute({
    method: 'put',
    path: '/chat/{group}/members/{up}/role',
    summary: 'Promote a member to admin or demote an admin (owner and admins)',
    description: `${ROLE_RULES} Every member, on every chat server, receives \`member role\` and \`group updated\`.`,
    auth: 'bearer',
    params: z.strictObject({ group: groupIdField, up: upField }),
    body: setRoleBodySchema,
    responses: { 200: { description: 'The group with its roles now.', schema: groupSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
  transferOwnership: defineRoute({
    method: 'post',
    path: '/chat/{group}/owner',
    summary: 'Transfer ownership to another member (owner only)',
    description: `${TRANSFER_RULES} Every member receives \`member role\` for both and \`group updated\`.`,
    auth: 'bearer',
    params: z.strictObject({ group: groupIdField }),
    body: transferBodySchema,
    responses: { 200: { description: 'The group with its new owner.', schema: groupSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
} as const;
