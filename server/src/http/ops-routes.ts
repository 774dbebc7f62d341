/**
 * What `/ready` checks on a chat server (the kit serves `/health` and `/ready`):
 * the data service, Redis and the dispatcher answer, and the server is not
 * closing. Connected users keep chatting while the dispatcher is away; only
 * placing new ones needs it.
 */
import { probe } from '@chat/shared';
import type { Check, HealthOptions, RedisConnections } from '@chat/shared';
import type { ChatContext } from '../context';

export function chatHealth(
  ctx: ChatContext,
  redis: Pick<RedisConnections, 'ping'> | undefined,
  dispatcherState: () => Check,
): HealthOptions {
  return {
    service: 'chat-server',
    checks: {
      dataService: probe(() => ctx.data.health()),
      redis: redis ? probe(async () => { if (!(await redis.ping())) throw new Error('redis down'); }) : () => 'disabled',
      dispatcher: dispatcherState,
    },
    isClosing: ctx.isClosing,
  };
}
