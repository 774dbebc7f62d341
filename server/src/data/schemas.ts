/**
 * What the data service answers, checked on arrival: a malformed answer is an
 * error here rather than a wrong value later, and unknown fields are stripped
 * (nothing the data service adds by mistake can reach a client).
 */
import { z } from 'zod';

const isoTime = z.string().min(1);

export const userSchema = z.object({
  up: z.string(),
  username: z.string(),
  name: z.string(),
  online: z.boolean(),
  lastSeen: isoTime.nullable(),
  createdAt: isoTime,
});

export const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  users: z.array(z.string()),
  createdBy: z.string().nullable(),
  lastSeq: z.number().int().min(0),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const groupForUserSchema = groupSchema.extend({
  lastReadSeq: z.number().int().min(0),
  unread: z.number().int().min(0),
});

export const storedMessageSchema = z.object({
  id: z.string(),
  group: z.string(),
  seq: z.number().int().min(1),
  from: z.string(),
  message: z.string(),
  clientId: z.string(),
  timestamp: isoTime,
});

export const membershipSchema = z.object({
  up: z.string(),
  lastReadSeq: z.number().int().min(0),
});

export const readPositionSchema = z.object({
  group: z.string(),
  up: z.string(),
  lastReadSeq: z.number().int().min(0),
});

export const offsetPageSchema = <T extends z.ZodType>(item: T) => z.object({
  items: z.array(item),
  page: z.number().int(),
  perPage: z.number().int(),
  total: z.number().int(),
});

export const cursorPageSchema = <T extends z.ZodType>(item: T) => z.object({
  items: z.array(item),
  hasMore: z.boolean(),
});

const errorDetailSchema = z.object({ code: z.string(), message: z.string() });

export const batchResultSchema = z.object({
  results: z.array(z.union([
    z.object({ ok: z.literal(true), status: z.number().int(), message: storedMessageSchema }),
    z.object({ ok: z.literal(false), error: errorDetailSchema }),
  ])),
});

export const errorBodySchema = z.object({ error: errorDetailSchema });

export type GroupForUser = z.infer<typeof groupForUserSchema>;
export type BatchResult = z.infer<typeof batchResultSchema>['results'][number];

export const groupIdsSchema = z.object({
  items: z.array(z.object({ up: z.string(), groups: z.array(z.string()) })),
});

export const presenceResultSchema = z.object({ lastSeen: isoTime, updated: z.number().int().min(0) });
