/** Liveness and readiness (readiness pings the database). */
import { Router } from 'express';
import type { Connection } from 'mongoose';
import { restContract, route } from '@chat/shared';
import { pingDatabase } from '../db/connection';

const routes = restContract.dataService;

export function healthRoutes(service: string, db: Connection): Router {
  const router = Router();
  route(router, routes.health)(() => ({ status: 200, body: { status: 'ok', service } }));
  route(router, routes.ready)(async () => {
    const up = await pingDatabase(db, 2000);
    const checks = { mongo: up ? 'ok' as const : 'down' as const };
    return up ? { status: 200, body: { status: 'ready', checks } } : { status: 503, body: { status: 'unavailable', checks } };
  });
  return router;
}
