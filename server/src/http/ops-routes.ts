/** `/health` (the process answers) and `/ready` (the data service and Redis answer too). */
import { Router } from 'express';
import type { ChatContext } from '../context';
import type { RedisClient } from '../redis';

type Check = 'ok' | 'down' | 'disabled';

export function opsRoutes(ctx: ChatContext, redis: RedisClient | undefined, dispatcherState: () => Check): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'chat-server' });
  });
  router.get('/ready', async (_req, res) => {
    const dataService: Check = await ctx.data.health().then(() => 'ok' as const, () => 'down' as const);
    let redisCheck: Check = 'disabled';
    if (redis) redisCheck = await redis.ping().then(() => 'ok' as const, () => 'down' as const);
    const checks = { dataService, redis: redisCheck, dispatcher: dispatcherState() };
    const ready = dataService === 'ok' && redisCheck !== 'down' && !ctx.isClosing();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  return router;
}
