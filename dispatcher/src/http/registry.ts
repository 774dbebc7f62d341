/**
 * The registry protocol with chat servers (internal token): register,
 * heartbeat, deregister, and a listing for operators.
 */
import { Router } from 'express';
import { z } from 'zod';
import { AppError, validate, requireInternalToken } from '@chat/shared';
import type { PlacementMap } from '@chat/shared';
import { leafCounts } from '../placement';
import type { DispatcherConfig } from '../config';
import type { Coordinator } from '../coordinator';
import type { MapCache } from '../map-cache';
import { leafLoadsSchema } from '../store/schemas';
import type { DispatcherStore, ServerReport } from '../store/types';

const MAX_COUNT = 10_000_000;
const serverId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, _ . or -');
const reportShape = {
  url: z.string().max(2048).url().regex(/^https?:\/\//, 'expected an http(s) URL'),
  capacity: z.number().int().min(1).max(MAX_COUNT),
  load: z.number().int().min(0).max(MAX_COUNT),
  leafLoads: leafLoadsSchema
    .refine((loads) => Object.keys(loads).length <= 10000, 'at most 10000 leaves')
    .optional(),
};
const registerSchema = z.object({ id: serverId, ...reportShape });
const heartbeatSchema = z.object(reportShape);

const toReport = (body: z.infer<typeof heartbeatSchema>): ServerReport => ({
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

  router.post('/dispatcher/servers', async (req, res) => {
    const body = validate(registerSchema, req.body);
    const report = toReport(body);
    await store.register(body.id, report);
    await coordinator.requestPlan();
    const map = await cache.waitFor((m) => m.servers[body.id]?.url === report.url, config.mapChangeWaitMs);
    res.json({ map, heartbeatIntervalMs });
  });

  router.put('/dispatcher/servers/:id/heartbeat', async (req, res) => {
    const id = validate(serverId, req.params.id);
    const report = toReport(validate(heartbeatSchema, req.body));
    if (!(await store.heartbeat(id, report))) {
      throw new AppError('NOT_FOUND', `server ${id} is not registered (or was declared dead): register again`);
    }
    res.json({ map: cache.current() });
  });

  router.delete('/dispatcher/servers/:id', async (req, res) => {
    const id = validate(serverId, req.params.id);
    if (await store.drain(id)) {
      await coordinator.requestPlan();
      await cache.waitFor((m: PlacementMap) => !m.servers[id], config.mapChangeWaitMs);
      await store.remove(id);
    }
    res.status(204).end();
  });

  router.get('/dispatcher/servers', async (_req, res) => {
    const { now, servers } = await store.snapshot();
    const map = cache.current();
    const counts = leafCounts(map);
    res.json({
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
    });
  });
  return router;
}
