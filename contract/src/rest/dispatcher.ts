/**
 * The dispatcher: `GET /chat/location` for users, and the registry protocol
 * with chat servers (internal token): register, heartbeat, deregister, and a
 * listing for operators.
 */
import { z } from 'zod';
import { EXACT, placementMapSchema } from '../records';
import { serverIdField, SUFFIX_PATTERN } from '../fields';
import { locationRoute } from './location';
import { operationRoutes } from './operations';
import { defineRoute } from './route';

const MAX_COUNT = 10_000_000;
const MAX_LEAVES = 10_000;

/** Connected users per leaf of the map. */
export const leafLoadsSchema = z.record(z.string().regex(SUFFIX_PATTERN), z.number().int().min(0))
  .refine((loads) => Object.keys(loads).length <= MAX_LEAVES, `at most ${MAX_LEAVES} leaves`)
  .meta({ description: `Connected users per leaf of the map (at most ${MAX_LEAVES} entries).` });

const serverReportShape = {
  /** The URL clients reach this server at. */
  url: z.string().max(2048).url().regex(/^https?:\/\//, 'expected an http(s) URL'),
  /** Sockets this server is sized for. */
  capacity: z.number().int().min(1).max(MAX_COUNT),
  /** Connected sockets now. */
  load: z.number().int().min(0).max(MAX_COUNT),
  leafLoads: leafLoadsSchema.optional(),
};
export const heartbeatRequestSchema = z.strictObject(serverReportShape);
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;
export const registrationRequestSchema = z.strictObject({ id: serverIdField, ...serverReportShape });
export type RegistrationRequest = z.infer<typeof registrationRequestSchema>;

export const serverStatusSchema = z.object({
  id: z.string(),
  url: z.string(),
  capacity: z.number().int().min(1),
  load: z.number().int().min(0),
  lastHeartbeat: z.string(),
  /** Beating, not leaving and not declared dead. */
  alive: z.boolean(),
  /** Leaving; its leaves are moving to others. */
  draining: z.boolean(),
  /** Leaves of the map it owns. */
  leaves: z.number().int().min(0),
}).meta(EXACT);

const serverParams = z.strictObject({ id: serverIdField });

export const dispatcherRoutes = {
  ...operationRoutes,
  location: locationRoute,
  listServers: defineRoute({
    method: 'get',
    path: '/dispatcher/servers',
    summary: 'The registry of chat servers and the current map (operators)',
    auth: 'internal',
    responses: {
      200: {
        description: 'Every registered chat server (recently dead ones with `alive` false) and the map.',
        schema: z.object({ servers: z.array(serverStatusSchema), map: placementMapSchema }),
      },
    },
    errors: ['UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  register: defineRoute({
    method: 'post',
    path: '/dispatcher/servers',
    summary: 'A chat server registers (on start, or again after a 404 heartbeat)',
    description: "Registering again under the same id replaces what was known (a restart). The new server takes its fair share of the map's leaves; the answer carries the map once it includes the server (or, if the leader is slow, the current map: the next heartbeat brings the new one), and the heartbeat interval the dispatcher expects.",
    auth: 'internal',
    body: registrationRequestSchema,
    responses: {
      200: {
        description: 'Registered.',
        schema: z.object({
          map: placementMapSchema,
          /** Send a heartbeat this often. */
          heartbeatIntervalMs: z.number().int().min(1),
        }),
      },
    },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
  deregister: defineRoute({
    method: 'delete',
    path: '/dispatcher/servers/{id}',
    summary: 'A chat server leaves (graceful shutdown)',
    description: "The server's leaves move to the other live servers first (the call waits for the map that no longer names it, up to a few seconds), then it is removed. Unknown ids are fine: the answer is 204 either way.",
    auth: 'internal',
    params: serverParams,
    responses: { 204: { description: 'Removed; its users are placed elsewhere.' } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'UNAVAILABLE'],
  }),
  heartbeat: defineRoute({
    method: 'put',
    path: '/dispatcher/servers/{id}/heartbeat',
    summary: 'A chat server reports it is alive, with its load',
    description: 'Sent every `heartbeatIntervalMs`. A server silent for HEARTBEAT_TIMEOUT_MS is declared dead and its leaves move to the live servers. `leafLoads` (optional) counts connected users per leaf of the map, so an overloaded server\'s busiest leaf is the one split. The answer carries the current map: when leaves moved away from this server, it relocates their sockets. 404: the dispatcher does not know this server (it was declared dead); register again.',
    auth: 'internal',
    params: serverParams,
    body: heartbeatRequestSchema,
    responses: { 200: { description: 'Recorded.', schema: z.object({ map: placementMapSchema }) } },
    errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNAVAILABLE'],
  }),
} as const;
