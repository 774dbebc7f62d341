/**
 * The registry protocol with chat servers (internal token): register,
 * heartbeat, deregister, and a listing for operators.
 */
import { Router } from 'express';
import {
  AppError, requireInternalToken, restContract, route,
} from '@chat/shared';
import type { HeartbeatRequest, PlacementMap } from '@chat/shared';
import { leafCounts } from '../placement';
import type { DispatcherConfig } from '../config';
import type { Coordinator } from '../coordinator';
import type { MapCache } from '../map-cache';
import type { DispatcherStore, ServerReport } from '../store/types';

const routes = restContract.dispatcher;

const toReport = (body: HeartbeatRequest): ServerReport => ({
  url: body.url.replace(/\/+$/, ''), capacity: body.capacity, load: body.load, leafLoads: body.leafLoads ?? null,
});

export interface RegistryDeps {
  config: DispatcherConfig;
  store: DispatcherStore;
  cache: MapCache;
  coordinator: Coordinator;
}

export function registryRouter({
  config, store, cache, coordinator,
}: RegistryDeps): Router {
  const router = Router();
  // Chat servers beat three times per timeout, so one lost beat is not a death.
  const heartbeatIntervalMs = Math.max(100, Math.floor(config.heartbeatTimeoutMs / 3));
  router.use('/dispatcher', requireInternalToken(config.internalToken));

  route(router, routes.register)(async ({ body: { id, ...state } }) => {
    const report = toReport(state);
    await store.register(id, report);
    await coordinator.requestPlan();
    const map = await cache.waitFor((m) => m.servers[id]?.url === report.url, config.mapChangeWaitMs);
    return { status: 200, body: { map, heartbeatIntervalMs } };
  });

  route(router, routes.heartbeat)(async ({ params: { id }, body }) => {
    if (!(await store.heartbeat(id, toReport(body)))) {
      throw new AppError('NOT_FOUND', `server ${id} is not registered (or was declared dead): register again`);
    }
    return { status: 200, body: { map: cache.current() } };
  });

  route(router, routes.deregister)(async ({ params: { id } }) => {
    if (await store.drain(id)) {
      await coordinator.requestPlan();
      await cache.waitFor((m: PlacementMap) => !m.servers[id], config.mapChangeWaitMs);
      await store.remove(id);
    }
    return { status: 204 };
  });

  route(router, routes.listServers)(async () => {
    const { now, servers } = await store.snapshot();
    const map = cache.current();
    const counts = leafCounts(map);
    return {
      status: 200,
      body: {
        servers: servers.sort((a, b) => (a.id < b.id ? -1 : 1)).map((s) => ({
          id: s.id,
          url: s.url,
          capacity: s.capacity,
          load: s.load,
          lastHeartbeat: new Date(s.lastHeartbeat).toISOString(),
          alive: s.deadAt === null && !s.draining && now - s.lastHeartbeat <= config.heartbeatTimeoutMs,
          draining: s.draining,
          leaves: counts.get(s.id) ?? 0,
        })),
        map,
      },
    };
  });
  return router;
}
