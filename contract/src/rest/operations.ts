/** Health, readiness and metrics: the same three routes on every service. */
import { z } from 'zod';
import { defineRoute } from './route';

export const healthSchema = z.object({ status: z.literal('ok'), service: z.string() });

export const readinessSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  /** Each dependency's state. */
  checks: z.record(z.string(), z.enum(['ok', 'down', 'disabled'])),
});
export type Readiness = z.infer<typeof readinessSchema>;

export const operationRoutes = {
  health: defineRoute({
    method: 'get',
    path: '/health',
    summary: 'Liveness. Answers while the process runs, whatever its dependencies do.',
    auth: 'none',
    responses: { 200: { description: 'Alive.', schema: healthSchema } },
    errors: [],
  }),
  ready: defineRoute({
    method: 'get',
    path: '/ready',
    summary: 'Readiness. 200 when every dependency of this service (database, Redis, data service, dispatcher) answers.',
    auth: 'none',
    responses: {
      200: { description: "Ready; each dependency's state.", schema: readinessSchema },
      503: { description: "A dependency is down; each dependency's state.", schema: readinessSchema },
    },
    errors: [],
  }),
  metrics: defineRoute({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format).',
    auth: 'none',
    responses: { 200: { description: 'Metrics.', schema: z.string(), contentType: 'text/plain' } },
    errors: [],
  }),
} as const;
