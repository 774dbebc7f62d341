/**
 * The Redis connections of one service, to one instance or to a Redis Cluster:
 * `commands` fails fast while Redis is away instead of queueing (a Redis outage
 * degrades to the slower path rather than hanging requests); `subscriber`
 * keeps its queue so subscriptions come back with Redis. Both reconnect with
 * the same back-off. Code that uses them works on either: keys that a script or
 * a transaction touches together share a hash tag (`{…}`), so one slot.
 */
import { createClient, createCluster } from 'redis';
import type winston from 'winston';
import { redisReconnectDelay } from './backoff';
import { watchClusterFailover } from './cluster-failover';
import type { RedisClusterClient } from './cluster-failover';
import type { RedisTarget } from './target';

export type RedisSingleClient = ReturnType<typeof createClient>;
export type { RedisClusterClient };
/** Either flavour; the commands this project uses are typed alike on both. */
export type RedisClient = RedisSingleClient | RedisClusterClient;

export interface RedisConnections {
  kind: RedisTarget['kind'];
  commands: RedisClient;
  subscriber: RedisClient;
  /** True when every primary answers PING. */
  ping: () => Promise<boolean>;
  close: () => Promise<void>;
}

const socket = { reconnectStrategy: redisReconnectDelay };

function throttledWarn(logger: winston.Logger, closed: () => boolean) {
  let lastLogged = 0;
  return (role: string) => (err: Error) => {
    // A down Redis errors on every retry; one line every 10 s is enough. After close the
    // logger is gone, and a cluster may still report a node connection it was finishing.
    if (closed() || Date.now() - lastLogged < 10000) return;
    lastLogged = Date.now();
    logger.warn('redis connection problem', { role, error: err.message });
  };
}

async function closeClient(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  try {
    await client.quit();
  } catch {
    await client.disconnect().catch(() => undefined);
  }
}

const cluster = (nodes: string[], disableOfflineQueue: boolean) => createCluster({
  rootNodes: nodes.map((url) => ({ url })),
  // Each MOVED makes the client read the layout again; while nodes are still agreeing on it
  // (a new cluster, a failover) the default 16 redirections run out within milliseconds.
  maxCommandRedirections: 64,
  defaults: { disableOfflineQueue, socket },
});

async function pingAll(client: RedisClient): Promise<boolean> {
  try {
    if (!('masters' in client)) return (await client.ping()) === 'PONG';
    const replies = await Promise.all(client.masters.map(async (node) => (await client.nodeClient(node)).ping()));
    return replies.length > 0 && replies.every((reply) => reply === 'PONG');
  } catch {
    return false;
  }
}

export async function connectRedis(target: RedisTarget, logger: winston.Logger): Promise<RedisConnections> {
  const commands = target.kind === 'cluster'
    ? cluster(target.nodes, true)
    : createClient({ url: target.url, disableOfflineQueue: true, socket });
  const subscriber = target.kind === 'cluster'
    ? cluster(target.nodes, false)
    : createClient({ url: target.url, socket });
  let closed = false;
  const warn = throttledWarn(logger, () => closed);
  commands.on('error', warn('commands'));
  subscriber.on('error', warn('subscriber'));
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
  } catch (err) {
    await Promise.all([commands, subscriber].map(closeClient));
    throw err;
  }
  const watch = commands !== subscriber && 'masters' in commands && 'masters' in subscriber
    ? watchClusterFailover([commands, subscriber], logger)
    : undefined;
  return {
    kind: target.kind,
    commands,
    subscriber,
    ping: () => pingAll(commands),
    close: async () => {
      closed = true;
      watch?.stop();
      await Promise.all([commands, subscriber].map(closeClient));
    },
  };
}
