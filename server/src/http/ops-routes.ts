/**
 * `/health` (the process answers: liveness, what container healthchecks probe)
 * and `/ready` (the data service, Redis and the dispatcher answer too: ready
 * for new users). Connected users keep chatting while the dispatcher is away;
 * only placing new ones needs it.
 */
import { Router } from 'express';
import type { ChatContext } from '../context';
import type { RedisConnections } from '../redis';

type Check = 'ok' | 'down' | 'disabled';

export function opsRoutes(ctx: ChatContext, redis: Pick<RedisConnections, 'ping'> | undefined, dispatcherState: () => Check): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'chat-server' });
  });
  router.get('/ready', async (_req, res) => {
    const dataService: Check = await ctx.data.health().then(() => 'ok' as const, () => 'down' as const);
    let redisCheck: Check = 'disabled';
    if (redis) redisCheck = (await redis.ping()) ? 'ok' : 'down';
    const checks = { dataService, redis: redisCheck, dispatcher: dispatcherState() };
    const ready = dataService === 'ok' && redisCheck !== 'down' && checks.dispatcher !== 'down' && !ctx.isClosing();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  return router;
}
