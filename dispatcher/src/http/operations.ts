/** `/health` (the process answers) and `/ready` (its store answers). */
import { Router } from 'express';
import { restContract, route } from '@chat/shared';
import type { DispatcherStore } from '../store/types';

const routes = restContract.dispatcher;

export function operationsRouter(store: DispatcherStore): Router {
  const router = Router();
  route(router, routes.health)(() => ({ status: 200, body: { status: 'ok', service: 'dispatcher' } }));
  route(router, routes.ready)(async () => {
    let redis: 'ok' | 'down' | 'disabled' = 'disabled';
    if (store.kind === 'redis') redis = (await store.ping()) ? 'ok' : 'down';
    const checks = { redis };
    return redis !== 'down' ? { status: 200, body: { status: 'ready', checks } } : { status: 503, body: { status: 'unavailable', checks } };
  });
  return router;
}
