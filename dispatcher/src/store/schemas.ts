/** What the dispatcher reads back from Redis is checked like any other input, against the contract's records. */
import { z } from 'zod';
import { leafLoadsSchema } from '@chat/contract';

/** A server's last report as the store keeps it (`leafLoads` null until it first sends them). */
export const serverReportSchema = z.object({
  url: z.string().url(),
  capacity: z.number().int().min(1),
  load: z.number().int().min(0),
  leafLoads: leafLoadsSchema.nullable(),
});
