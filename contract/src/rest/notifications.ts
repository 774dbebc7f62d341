/**
 * Notifications (docs/notifications.md): each user's preferences (a level per
 * group, a time zone, quiet hours), the in-app notification list with its
 * unread count, and the digest the data service POSTs to the notifications
 * component (NOTIFY_URL). The chat server's routes act for the caller; the
 * data service's routes are the same, for a named user.
 */
import { z } from 'zod';
import { EXACT } from '../records';
import {
  groupIdField, objectIdField, upField, wholeNumberQuery, withDefault,
} from '../fields';
import { defineRoute } from './route';

export const NOTIFY_LIMITS = {
  /** Items in one digest; more wait for the next one. */
  digestItems: 100,
  /** Code points of a message kept in a notification. */
  excerpt: 200,
  /** Group levels set in one PUT. */
  groupsPerUpdate: 100,
  /** Items in one page of the in-app list. */
  listPage: 100,
  /** Length of an IANA time zone name. */
  timeZone: 64,
} as const;

export const NOTIFY_LEVELS = ['all', 'mentions', 'muted'] as const;

/**
 * `all`: every message; `mentions`: only messages that mention the user
 * (`@<up>` or `@<username>`) or reply to them; `muted`: nothing.
 */
export const notifyLevelSchema = z.enum(NOTIFY_LEVELS)
  .meta({ description: '`all`: every message; `mentions`: mentions of you and replies to you only; `muted`: nothing.' });
export type NotifyLevel = z.infer<typeof notifyLevelSchema>;

/** What a group is when the user never chose. */
export const DEFAULT_NOTIFY_LEVEL: NotifyLevel = 'all';

/** True when `name` is an IANA time zone this runtime knows (Intl decides). */
export function isTimeZone(name: string): boolean {
  try {
    // eslint-disable-next-line no-new -- constructing it is the check
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneField = z.string().min(1).max(NOTIFY_LIMITS.timeZone)
  .refine(isTimeZone, { message: 'must be an IANA time zone, e.g. Europe/Paris' })
  .meta({ description: 'An IANA time zone, e.g. `Europe/Paris`.', example: 'Europe/Paris' });

/** A local time of day, `HH:MM`, 24-hour clock. */
export const localTimeField = z.string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a local time HH:MM (00:00 to 23:59)')
  .meta({ example: '22:00' });

export const quietHoursSchema = z.strictObject({
  start: localTimeField,
  end: localTimeField,
}).refine((q) => q.start !== q.end, { message: 'start and end must differ' })
  .meta({ description: 'Local times in the user\'s time zone; nothing is sent from `start` until `end` (may span midnight). Held notifications go out when it ends.' });
export type QuietHours = z.infer<typeof quietHoursSchema>;

export const groupLevelSchema = z.object({ group: z.string(), level: notifyLevelSchema }).meta(EXACT);

export const notificationPreferencesSchema = z.object({
  timeZone: z.string().meta({ description: 'IANA time zone; `UTC` until the user sets one.' }),
  quietHours: z.union([z.object({ start: z.string(), end: z.string() }).meta(EXACT), z.null()]),
  defaultLevel: notifyLevelSchema,
  /** Only the groups whose level the user set; every other group is at `defaultLevel`. */
  groups: z.array(groupLevelSchema),
}).meta({ ...EXACT, id: 'NotificationPreferences' });
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;

export const preferencesUpdateSchema = z.strictObject({
  timeZone: timeZoneField.optional(),
  quietHours: z.union([quietHoursSchema, z.null()]).optional(),
  groups: z.array(z.strictObject({ group: groupIdField, level: notifyLevelSchema }))
    .min(1).max(NOTIFY_LIMITS.groupsPerUpdate).optional(),
}).refine((b) => Object.keys(b).length > 0, { message: 'give at least one of timeZone, quietHours, groups' })
  .meta({ minProperties: 1, description: 'Only what is given changes; `groups` sets the level of each group named (you must be a member), others keep theirs; `quietHours: null` turns quiet hours off.' });
export type PreferencesUpdate = z.infer<typeof preferencesUpdateSchema>;

export const NOTIFY_REASONS = ['message', 'mention', 'reply'] as const;

/** One notification: a message in one of the user's groups, and why it is one. */
export const notificationItemSchema = z.object({
  /** `<up>:<messageId>`: one notification per user and message, ever. */
  id: z.string(),
  group: z.string(),
  groupName: z.string(),
  messageId: z.string(),
  seq: z.number().int(),
  from: z.string(),
  /** The start of the message (at most 200 code points). */
  excerpt: z.string(),
  reason: z.enum(NOTIFY_REASONS),
  /** When the message was stored (ISO 8601). */
  timestamp: z.string(),
}).meta({ ...EXACT, id: 'NotificationItem' });
export type NotificationItem = z.infer<typeof notificationItemSchema>;

export const notificationListItemSchema = notificationItemSchema.extend({ read: z.boolean() })
  .meta({ ...EXACT, id: 'NotificationListItem' });
export type NotificationListItem = z.infer<typeof notificationListItemSchema>;

export const notificationListSchema = z.object({
  /** Newest first. */
  items: z.array(notificationListItemSchema),
  /** Unread notifications in all (not only in this page). */
  unread: z.number().int().min(0),
}).meta(EXACT);
export type NotificationList = z.infer<typeof notificationListSchema>;

export const markReadSchema = z.strictObject({
  /** The newest message id read; omitted: everything up to now. */
  upTo: objectIdField.optional(),
});

export const markReadResultSchema = z.object({ unread: z.number().int().min(0) }).meta(EXACT);

/**
 * The digest POSTed to NOTIFY_URL. Headers: `X-Chat-Signature: sha256=<hex
 * HMAC-SHA256 of the raw body with NOTIFY_SECRET>`, `X-Chat-Delivery: <id>`,
 * `X-Chat-Timestamp: <unix seconds of this attempt>`. A retry carries the
 * same id and body; no item is ever in two digests with different ids.
 */
export const notificationDigestSchema = z.object({
  /** Stable for this digest across retries: the receiver de-duplicates by it. */
  id: z.string(),
  up: z.string(),
  /** When the digest was built (ISO 8601); the same on every retry. */
  createdAt: z.string(),
  items: z.array(notificationItemSchema).min(1).max(NOTIFY_LIMITS.digestItems),
}).meta({ ...EXACT, id: 'NotificationDigest' });
export type NotificationDigest = z.infer<typeof notificationDigestSchema>;

export const DIGEST_HEADERS = {
  signature: 'x-chat-signature',
  delivery: 'x-chat-delivery',
  timestamp: 'x-chat-timestamp',
} as const;

const listQuery = z.strictObject({
  limit: withDefault(wholeNumberQuery(1, NOTIFY_LIMITS.listPage), 50),
});
const upParams = z.strictObject({ up: upField });

const json = <S extends z.ZodType>(description: string, schema: S) => ({ description, schema });

export const notificationChatRoutes = {
  getNotificationPreferences: defineRoute({
    method: 'get',
    path: '/chat/notifications/preferences',
    summary: "The caller's notification preferences",
    auth: 'bearer',
    responses: { 200: json('Time zone, quiet hours and the level of each group set.', notificationPreferencesSchema) },
    errors: ['UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  setNotificationPreferences: defineRoute({
    method: 'put',
    path: '/chat/notifications/preferences',
    summary: "Change the caller's notification preferences",
    description: 'Only the fields given change. A group the caller is not a member of is a 403.',
    auth: 'bearer',
    body: preferencesUpdateSchema,
    responses: { 200: json('The preferences now.', notificationPreferencesSchema) },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
  listNotifications: defineRoute({
    method: 'get',
    path: '/chat/notifications',
    summary: "The caller's notifications, newest first, with the unread count",
    description: 'Messages that arrived while the caller was offline (at their groups\' levels) and mentions of the caller at any time.',
    auth: 'bearer',
    query: listQuery,
    responses: { 200: json('The newest notifications and how many are unread.', notificationListSchema) },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  markNotificationsRead: defineRoute({
    method: 'post',
    path: '/chat/notifications/read',
    summary: 'Mark notifications read',
    description: 'Every notification up to the message `upTo` (all of them when omitted) is read; never goes back.',
    auth: 'bearer',
    body: markReadSchema,
    responses: { 200: json('How many are still unread.', markReadResultSchema) },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
} as const;

export const notificationDataRoutes = {
  getNotificationPreferences: defineRoute({
    method: 'get',
    path: '/notifications/{up}/preferences',
    summary: "A user's notification preferences",
    auth: 'internal',
    params: upParams,
    responses: { 200: json('Time zone, quiet hours and the level of each group set.', notificationPreferencesSchema) },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  setNotificationPreferences: defineRoute({
    method: 'put',
    path: '/notifications/{up}/preferences',
    summary: "Change a user's notification preferences",
    description: 'Only the fields given change; a group the user is not a member of is a 403.',
    auth: 'internal',
    params: upParams,
    body: preferencesUpdateSchema,
    responses: { 200: json('The preferences now.', notificationPreferencesSchema) },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
  listNotifications: defineRoute({
    method: 'get',
    path: '/notifications/{up}',
    summary: "A user's notifications, newest first, with the unread count",
    auth: 'internal',
    params: upParams,
    query: listQuery,
    responses: { 200: json('The newest notifications and how many are unread.', notificationListSchema) },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  markNotificationsRead: defineRoute({
    method: 'post',
    path: '/notifications/{up}/read',
    summary: "Mark a user's notifications read",
    auth: 'internal',
    params: upParams,
    body: markReadSchema,
    responses: { 200: json('How many are still unread.', markReadResultSchema) },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
} as const;
