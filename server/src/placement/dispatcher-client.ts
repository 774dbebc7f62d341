/** The dispatcher's registry routes this chat server calls, over the kit's JSON client. */
import type { z } from 'zod';
import { AppError, createJsonClient, restContract } from '@chat/shared';
import type { JsonReply, PlacementMap } from '@chat/shared';

const registry = restContract.dispatcher;
const registeredSchema = registry.register.responses[200].schema;
const heartbeatSchema = registry.heartbeat.responses[200].schema;
const listingSchema = registry.listServers.responses[200].schema;

export interface ServerState {
  id: string;
  url: string;
  capacity: number;
  load: number;
  /** Sockets per leaf this server owns: the dispatcher splits the busiest one. */
  leafLoads?: Record<string, number>;
}

export function createDispatcherClient(baseUrl: string, internalToken: string, timeoutMs = 3000) {
  const call = createJsonClient({
    baseUrl, internalToken, name: 'dispatcher', timeoutMs,
  });
  const expect = <S extends z.ZodType>(schema: S, reply: JsonReply, what: string): z.infer<S> => {
    if (reply.status === 404) throw new AppError('NOT_FOUND', `${what}: the dispatcher does not know this server`);
    if (!reply.ok) throw new AppError('UNAVAILABLE', `${what}: dispatcher answered ${reply.status}`);
    const parsed = schema.safeParse(reply.body);
    if (!parsed.success) throw new AppError('UNAVAILABLE', `${what}: unexpected dispatcher answer`);
    return parsed.data;
  };
  const idPath = (id: string) => `/dispatcher/servers/${encodeURIComponent(id)}`;
  return {
    register: async (state: ServerState): Promise<{ map: PlacementMap; heartbeatIntervalMs?: number }> => (
      expect(registeredSchema, await call('POST', '/dispatcher/servers', { body: state }), 'register')),
    heartbeat: async (state: ServerState): Promise<PlacementMap> => {
      const { id, ...rest } = state;
      return expect(heartbeatSchema, await call('PUT', `${idPath(id)}/heartbeat`, { body: rest }), 'heartbeat').map;
    },
    deregister: async (id: string): Promise<void> => {
      const reply = await call('DELETE', idPath(id));
      if (reply.status !== 204 && reply.status !== 404) throw new AppError('UNAVAILABLE', `deregister: dispatcher answered ${reply.status}`);
    },
    currentMap: async (): Promise<PlacementMap> => (
      expect(listingSchema, await call('GET', '/dispatcher/servers'), 'map').map),
  };
}

export type DispatcherClient = ReturnType<typeof createDispatcherClient>;
