/** The dispatcher's registry routes this chat server calls (contracts.md), with the internal token. */
import { z } from 'zod';
import { AppError } from '@chat/shared';
import type { PlacementMap } from '@chat/shared';

const mapSchema = z.object({
  version: z.number(),
  leaves: z.record(z.string(), z.string()),
  servers: z.record(z.string(), z.object({ url: z.string() })),
});
const registeredSchema = z.object({ map: mapSchema, heartbeatIntervalMs: z.number().int().positive().optional() });
const mapOnlySchema = z.object({ map: mapSchema });

export interface ServerState {
  id: string;
  url: string;
  capacity: number;
  load: number;
  /** Sockets per leaf this server owns: the dispatcher splits the busiest one. */
  leafLoads?: Record<string, number>;
}

export function createDispatcherClient(baseUrl: string, internalToken: string, timeoutMs = 3000) {
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { 'x-internal-token': internalToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new AppError('UNAVAILABLE', 'the dispatcher is unreachable');
    }
    const text = await res.text().catch(() => '');
    let json: unknown;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, json };
  };
  type Reply = { status: number; json: unknown };
  const expect = <S extends z.ZodType>(schema: S, reply: Reply, what: string): z.infer<S> => {
    if (reply.status === 404) throw new AppError('NOT_FOUND', `${what}: the dispatcher does not know this server`);
    if (reply.status < 200 || reply.status >= 300) throw new AppError('UNAVAILABLE', `${what}: dispatcher answered ${reply.status}`);
    const parsed = schema.safeParse(reply.json);
    if (!parsed.success) throw new AppError('UNAVAILABLE', `${what}: unexpected dispatcher answer`);
    return parsed.data;
  };
  const idPath = (id: string) => `/dispatcher/servers/${encodeURIComponent(id)}`;
  return {
    register: async (state: ServerState): Promise<{ map: PlacementMap; heartbeatIntervalMs?: number }> => (
      expect(registeredSchema, await call('POST', '/dispatcher/servers', state), 'register')),
    heartbeat: async (state: ServerState): Promise<PlacementMap> => {
      const { id, ...rest } = state;
      return expect(mapOnlySchema, await call('PUT', `${idPath(id)}/heartbeat`, rest), 'heartbeat').map;
    },
    deregister: async (id: string): Promise<void> => {
      const reply = await call('DELETE', idPath(id));
      if (reply.status !== 204 && reply.status !== 404) throw new AppError('UNAVAILABLE', `deregister: dispatcher answered ${reply.status}`);
    },
    currentMap: async (): Promise<PlacementMap> => (
      expect(mapOnlySchema, await call('GET', '/dispatcher/servers'), 'map').map),
  };
}

export type DispatcherClient = ReturnType<typeof createDispatcherClient>;
