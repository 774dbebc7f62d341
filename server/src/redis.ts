/**
 * The Redis connections of one chat server: `commands` (adapter publishing,
 * buffer, presence, rate limits) fails fast while Redis is away instead of
 * queueing, so a Redis outage degrades to the data service rather than hanging;
 * `subscriber` keeps its queue so the adapter's subscriptions survive a restart.
 */
import { createClient } from 'redis';
import type winston from 'winston';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnections {
  commands: RedisClient;
  subscriber: RedisClient;
  close: () => Promise<void>;
}

const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** Math.min(retries, 5), 3000);

export async function connectRedis(url: string, logger: winston.Logger): Promise<RedisConnections> {
  const commands = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy } });
  const subscriber = createClient({ url, socket: { reconnectStrategy } });
  let lastLogged = 0;
  const onError = (role: string) => (err: Error) => {
    // A down Redis errors on every retry; one line every 10 s is enough.
    if (Date.now() - lastLogged < 10000) return;
    lastLogged = Date.now();
    logger.warn('redis connection problem', { role, error: err.message });
  };
  commands.on('error', onError('commands'));
  subscriber.on('error', onError('subscriber'));
  await Promise.all([commands.connect(), subscriber.connect()]);
  const close = async () => {
    await Promise.all([commands, subscriber].map(async (client) => {
      if (!client.isOpen) return;
      try {
        await client.quit();
      } catch {
        await client.disconnect().catch(() => undefined);
      }
    }));
  };
  return { commands, subscriber, close };
}
