/** `/health` (the process answers) and `/ready` (its store answers). */
import { Router } from 'express';
import type { DispatcherStore } from '../store/types';

export function operationsRouter(store: DispatcherStore): Router {
  const router = Router();
  router.get('/health', (_req, res) => { res.json({ status: 'ok', service: 'dispatcher' }); });
  router.get('/ready', async (_req, res) => {
    let redis: 'ok' | 'down' | 'disabled' = 'disabled';
    if (store.kind === 'redis') redis = (await store.ping()) ? 'ok' : 'down';
    const ready = redis !== 'down';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: { redis } });
  });
  return router;
}
