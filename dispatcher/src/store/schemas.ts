/** What the dispatcher reads back from Redis is checked like any other input. */
import { z } from 'zod';

const count = z.number().int().min(0);

export const leafLoadsSchema = z.record(z.string().regex(/^[0-9]{1,10}$/), count);

export const serverReportSchema = z.object({
  url: z.string().url(),
  capacity: z.number().int().min(1),
  load: count,
  leafLoads: leafLoadsSchema.nullable(),
});

export const placementMapSchema = z.object({
  version: count,
  leaves: z.record(z.string().regex(/^[0-9]{1,10}$/), z.string().min(1)),
  servers: z.record(z.string().min(1), z.object({ url: z.string().url() })),
});
