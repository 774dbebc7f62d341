/**
 * Accounts and sessions (docs/design.md, Sessions): the chat server's public
 * `/auth` routes for renewing, signing out, changing the password and editing
 * the profile, and the data service's internal `/session` routes they use.
 *
 * A sign-in opens a session: a short-lived access token (a JWT carrying the
 * session id `sid`) and a refresh token that renews it. Each refresh rotates
 * the refresh token; presenting an old one again revokes the session.
 */
import { z } from 'zod';
import { LIMITS } from '../limits';
import { EXACT, userSchema } from '../records';
import { textField } from '../text';
import { personNameField, upField, usernameField } from '../fields';
import { defineRoute } from './route';

/** `<session id>.<secret>`: opaque to clients. */
export const refreshTokenField = z.string().min(1).max(256).meta({ writeOnly: true });
const sessionIdField = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'expected a session id');
const passwordField = textField(LIMITS.passwordMin, LIMITS.passwordMax).meta({ writeOnly: true });

/** What every sign-in, refresh, password change and profile edit answers besides the user. */
export const accessTokenShape = {
  /** HS256 JWT `{sub: up, username, sid}`, valid `expiresIn` seconds; send as `Authorization: Bearer` and in the Socket.IO handshake `auth: {token}`. */
  token: z.string(),
  /** Seconds until `token` expires; renew before (or on a 401) with `POST /auth/refresh`. */
  expiresIn: z.number().int().min(1),
};

export const sessionGrantSchema = z.object({
  id: sessionIdField,
  up: upField,
  refreshToken: z.string(),
  expiresAt: z.string().meta({ description: 'ISO time after which the refresh token is refused.' }),
}).meta(EXACT);
export type SessionGrant = z.infer<typeof sessionGrantSchema>;

export const sessionStateSchema = z.object({
  /** The session is signed out, expired or unknown. */
  revoked: z.boolean(),
  /** Tokens of this user issued before this time are refused (sign out everywhere, password change). */
  signedOutBefore: z.union([z.string(), z.null()]),
}).meta(EXACT);
export type SessionState = z.infer<typeof sessionStateSchema>;

/** Sessions one `POST /session/states` call may ask about. */
export const SESSION_STATES_MAX = 200;

const signedOutSchema = z.object({
  signedOutBefore: z.string(),
  /** The sessions signed out now. */
  sessions: z.array(z.string()),
}).meta(EXACT);

export const profileUpdateSchema = z.strictObject({
  username: usernameField.optional(),
  name: personNameField.optional(),
}).refine((b) => b.username !== undefined || b.name !== undefined, { message: 'give username, name or both' })
  .meta({ minProperties: 1 });

export const passwordChangeSchema = z.strictObject({
  oldPassword: textField(1, LIMITS.passwordMax).meta({ writeOnly: true }),
  newPassword: passwordField,
});

/** Routes of the data service (internal token). */
export const accountDataRoutes = {
  createSession: defineRoute({
    method: 'post',
    path: '/session',
    summary: 'Open a session for a user who just signed in',
    description: 'One document per session. Only a hash of the refresh token is stored.',
    auth: 'internal',
    body: z.strictObject({ up: upField, ttlSeconds: z.number().int().min(60).max(366 * 86400) }),
    responses: { 201: { description: 'The session and its first refresh token.', schema: sessionGrantSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  refreshSession: defineRoute({
    method: 'post',
    path: '/session/refresh',
    summary: 'Rotate a refresh token',
    description: 'Answers a new refresh token; the one given stops working. Presenting a refresh token that was already rotated away revokes the whole session (it was copied). Unknown, expired and revoked sessions get 401.',
    auth: 'internal',
    body: z.strictObject({ refreshToken: refreshTokenField }),
    responses: { 200: { description: 'The session and its new refresh token.', schema: sessionGrantSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  sessionState: defineRoute({
    method: 'get',
    path: '/session/state',
    summary: 'Whether a session (or, without `sid`, a user\'s older tokens) is signed out',
    auth: 'internal',
    query: z.strictObject({ up: upField, sid: sessionIdField.optional() }),
    responses: { 200: { description: 'The state.', schema: sessionStateSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  sessionStates: defineRoute({
    method: 'post',
    path: '/session/states',
    summary: 'The states of many sessions at once',
    description: 'What `GET /session/state` answers, for up to 200 sessions (or users\' older tokens) in one call, in the order given: a chat server re-checks the sessions of all its sockets this way.',
    auth: 'internal',
    body: z.strictObject({
      sessions: z.array(z.strictObject({ up: upField, sid: sessionIdField.optional() })).min(1).max(SESSION_STATES_MAX),
    }),
    responses: {
      200: {
        description: 'One state per session asked, in the same order.',
        schema: z.object({ states: z.array(sessionStateSchema) }).meta(EXACT),
      },
    },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  revokeSession: defineRoute({
    method: 'delete',
    path: '/session/{id}',
    summary: 'Sign one session out',
    auth: 'internal',
    params: z.strictObject({ id: sessionIdField }),
    responses: { 204: { description: 'Signed out (also when it already was).' } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  revokeUserSessions: defineRoute({
    method: 'post',
    path: '/user/{up}/sessions/revoke',
    summary: 'Sign out every session of a user',
    description: 'Also refuses every token of the user issued before now.',
    auth: 'internal',
    params: z.strictObject({ up: upField }),
    responses: { 200: { description: 'Signed out.', schema: signedOutSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND', 'UNAVAILABLE'],
  }),
  changePassword: defineRoute({
    method: 'post',
    path: '/user/{up}/password',
    summary: 'Change a password (the old one is required); every other session is signed out',
    description: 'A wrong old password is a 403. `keepSession` stays signed in.',
    auth: 'internal',
    params: z.strictObject({ up: upField }),
    body: passwordChangeSchema.extend({ keepSession: sessionIdField.optional() }),
    responses: { 200: { description: 'Changed.', schema: signedOutSchema } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
} as const;

export const accessResultSchema = z.object({ ...accessTokenShape, user: userSchema }).meta(EXACT);

const SIGNED_IN = ['UNAUTHORIZED', 'RATE_LIMITED', 'UNAVAILABLE'] as const;

/** Routes of the chat server (public). */
export const accountChatRoutes = {
  refresh: defineRoute({
    method: 'post',
    path: '/auth/refresh',
    summary: 'Renew the access token with the refresh token (which is rotated)',
    description: 'Answers a new access token and a new refresh token; the old refresh token stops working, and presenting it again signs the session out (a copied token is thereby made useless). Rate-limited per IP address.',
    auth: 'none',
    body: z.strictObject({ refreshToken: refreshTokenField }),
    responses: {
      200: {
        description: 'Fresh tokens.',
        schema: z.object({ ...accessTokenShape, refreshToken: z.string(), user: userSchema }).meta(EXACT),
      },
    },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'UNAVAILABLE'],
  }),
  logout: defineRoute({
    method: 'post',
    path: '/auth/logout',
    summary: 'Sign this session out',
    description: 'Its tokens stop working at once on every chat server; its sockets receive `session ended` (`SIGNED_OUT`) and are disconnected.',
    auth: 'bearer',
    responses: { 204: { description: 'Signed out.' } },
    errors: SIGNED_IN,
  }),
  logoutAll: defineRoute({
    method: 'post',
    path: '/auth/logout-all',
    summary: 'Sign out everywhere',
    description: 'Every session of the caller, this one included, is signed out; all their sockets on every chat server receive `session ended` (`SIGNED_OUT`) and are disconnected.',
    auth: 'bearer',
    responses: { 204: { description: 'Signed out everywhere.' } },
    errors: SIGNED_IN,
  }),
  changePassword: defineRoute({
    method: 'post',
    path: '/auth/password',
    summary: 'Change the password; every other session is signed out',
    description: 'The old password is required (403 when wrong). This session stays signed in and gets a fresh access token; the others are signed out and their sockets disconnected.',
    auth: 'bearer',
    body: passwordChangeSchema,
    responses: { 200: { description: 'Changed; a fresh access token for this session.', schema: accessResultSchema } },
    errors: ['VALIDATION_FAILED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', ...SIGNED_IN],
  }),
  updateProfile: defineRoute({
    method: 'patch',
    path: '/auth/me',
    summary: 'Edit the profile: name and username (unique)',
    auth: 'bearer',
    body: profileUpdateSchema,
    responses: { 200: { description: 'The updated account and a fresh access token naming it.', schema: accessResultSchema } },
    errors: ['VALIDATION_FAILED', 'CONFLICT', 'PAYLOAD_TOO_LARGE', ...SIGNED_IN],
  }),
} as const;
