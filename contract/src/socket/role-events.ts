/** The server → client event of group roles (spread into `serverEvents`). */
import { z } from 'zod';
import { upSchema } from '../records';
import { roleSchema } from '../roles';

export const memberRoleSchema = z.object({
  room: z.string().meta({ description: 'The group id.' }),
  up: upSchema,
  role: roleSchema,
}).meta({ description: 'A member\'s new role. A transfer sends two: the new owner\'s and the former owner\'s (now `admin`).' });
export type MemberRolePayload = z.infer<typeof memberRoleSchema>;

export const roleEvents = {
  'member role': {
    summary: 'A member of one of the caller\'s groups was promoted, demoted, or became the owner',
    payload: memberRoleSchema,
  },
} as const;
