/** `GET /chat/location`: answered by the dispatcher, and by a chat server started without one. */
import { z } from 'zod';
import { EXACT } from '../records';
import { defineRoute } from './route';

export const locationSchema = z.object({
  /** The chat server's public URL (Socket.IO and REST). */
  url: z.string(),
  serverId: z.string(),
  mapVersion: z.number().int().min(0),
}).meta(EXACT);
export type Location = z.infer<typeof locationSchema>;

export const locationRoute = defineRoute({
  method: 'get',
  path: '/chat/location',
  summary: 'Which chat server the caller connects to',
  description: 'Places the caller (the `sub` of the bearer token) on a chat server by the last digits of their user number, through the dispatcher\'s suffix map (a user number that is not all digits goes through a stable hash). While the map holds still, a user always gets the same server. `mapVersion` increases on every change of the map. Any dispatcher replica answers, from its copy of the map. A chat server started without a dispatcher answers this route too, with itself. Browsers may call it cross-origin (CORS).',
  auth: 'bearer',
  responses: { 200: { description: 'The chat server to open the socket to.', schema: locationSchema } },
  errors: ['UNAUTHORIZED', 'UNAVAILABLE'],
});
