/** Liveness and readiness (readiness pings the database). */
import { Router } from 'express';
import type { Connection } from 'mongoose';
import { pingDatabase } from '../db/connection';

export function healthRoutes(service: string, db: Connection): Router {
  const router = Router();
  router.get('/health', (_req, res) => { res.json({ status: 'ok', service }); });
  router.get('/ready', async (_req, res) => {
    const up = await pingDatabase(db, 2000);
    res.status(up ? 200 : 503).json({ status: up ? 'ready' : 'unavailable', checks: { mongo: up ? 'ok' : 'down' } });
  });
  return router;
}
