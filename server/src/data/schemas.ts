/**
 * What the data service answers, checked on arrival: a malformed answer is an
 * error here rather than a wrong value later, and unknown fields are stripped
 * (nothing the data service adds by mistake can reach a client).
 */
import { z } from 'zod';
import { errorDetailSchema, storedMessageSchema } from '@chat/contract';

const isoTime = z.string().min(1);

export const membershipSchema = z.object({
  up: z.string(),
  lastReadSeq: z.number().int().min(0),
});

export const batchResultSchema = z.object({
  results: z.array(z.union([
    z.object({ ok: z.literal(true), status: z.number().int(), message: storedMessageSchema }),
    z.object({ ok: z.literal(false), error: errorDetailSchema }),
  ])),
});

export type BatchResult = z.infer<typeof batchResultSchema>['results'][number];

export const groupIdsSchema = z.object({
  items: z.array(z.object({ up: z.string(), groups: z.array(z.string()) })),
});

export const presenceResultSchema = z.object({ lastSeen: isoTime, updated: z.number().int().min(0) });
