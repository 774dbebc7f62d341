/**
 * Every socket payload is checked here before anything else touches it:
 * wrong shapes, wrong types and oversized text become VALIDATION_FAILED.
 */
import { z } from 'zod';
import { LIMITS } from '@chat/shared';

export const groupId = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a group id (24 hex characters)');
export const upField = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be a user number');
const seqField = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const onlineSchema = z.object({ up: upField });

export const joinRoomSchema = z.object({
  up: upField,
  room: groupId,
  since: seqField.optional(),
});

export const leaveRoomSchema = z.object({ room: groupId });

export const sendMessageSchema = z.object({
  message: z.string().min(1, 'must not be empty').max(LIMITS.messageLength, `must be at most ${LIMITS.messageLength} characters`)
    .refine((text) => text.trim().length > 0, 'must not be blank'),
  up: upField,
  room: groupId,
  timestamp: z.string().max(64).optional(),
  clientId: z.string().min(1).max(LIMITS.clientId),
});

export const typingSchema = z.object({ room: groupId });

export const readSchema = z.object({ room: groupId, seq: seqField });
