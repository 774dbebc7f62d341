/** The fields socket requests share, checked before anything else reads them. */
import { z } from 'zod';
import { LIMITS } from '../limits';

const GROUP_ID_LENGTH = 24;

export const groupIdField = z.string().length(GROUP_ID_LENGTH)
  .regex(/^[0-9a-f]{24}$/i, 'must be a group id (24 hex characters)')
  .meta({ description: 'The group id; a group is a Socket.IO room.' });

/** The sender's own user number: it must equal the one in the socket's token (else FORBIDDEN). */
export const upField = z.string().max(LIMITS.up)
  .regex(new RegExp(`^[A-Za-z0-9_-]{1,${LIMITS.up}}$`), 'must be a user number')
  .meta({ description: "The sender's own user number; another user's answers FORBIDDEN." });

export const seqField = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
