/**
 * node-redis 4 learns a cluster's new layout only from a MOVED or ASK reply,
 * which a dead primary never sends: after a failover its slots would stay
 * pointed at the dead address. This watcher compares the layout the client
 * uses with the one a live node reports (after any connection error, and every
 * few seconds), and when they differ reconnects the client, subscribing again
 * to every channel it was subscribed to (the Socket.IO adapter's included).
 */
import type { createCluster } from 'redis';
import type winston from 'winston';

export type RedisClusterClient = ReturnType<typeof createCluster>;

type ShardedListener = Parameters<RedisClusterClient['sSubscribe']>[1];
type Listener = Parameters<RedisClusterClient['subscribe']>[1];

interface Subscription {
  sharded: boolean;
  channel: string;
  listener: ShardedListener | Listener;
  buffers: boolean;
}

/** Keeps a list of the client's subscriptions so they can be made again on a new connection. */
function recordSubscriptions(cluster: RedisClusterClient): () => Promise<void> {
  const subscriptions: Subscription[] = [];
  const channelsOf = (channels: string | string[]) => (Array.isArray(channels) ? channels : [channels]);
  const forget = (sharded: boolean, channels: string | string[] | undefined, listener: unknown) => {
    const names = channels === undefined ? undefined : new Set(channelsOf(channels));
    for (let i = subscriptions.length - 1; i >= 0; i -= 1) {
      const s = subscriptions[i];
      if (s && s.sharded === sharded && (!names || names.has(s.channel)) && (!listener || s.listener === listener)) {
        subscriptions.splice(i, 1);
      }
    }
  };
  const original = {
    subscribe: cluster.subscribe.bind(cluster),
    unsubscribe: cluster.unsubscribe.bind(cluster),
    sSubscribe: cluster.sSubscribe.bind(cluster),
    sUnsubscribe: cluster.sUnsubscribe.bind(cluster),
  };
  const remember = (sharded: boolean, channels: string | string[], listener: Listener, buffers?: boolean) => {
    channelsOf(channels).forEach((channel) => subscriptions.push({
      sharded, channel, listener, buffers: buffers === true,
    }));
  };
  Object.assign(cluster, {
    subscribe: async (channels: string | string[], listener: Listener, buffers?: boolean) => {
      remember(false, channels, listener, buffers);
      return original.subscribe(channels, listener, buffers);
    },
    unsubscribe: async (channels?: string | string[], listener?: Listener, buffers?: boolean) => {
      forget(false, channels, listener);
      return original.unsubscribe(channels, listener, buffers);
    },
    sSubscribe: async (channels: string | string[], listener: ShardedListener, buffers?: boolean) => {
      remember(true, channels, listener, buffers);
      return original.sSubscribe(channels, listener, buffers);
    },
    sUnsubscribe: async (channels: string | string[], listener?: ShardedListener, buffers?: boolean) => {
      forget(true, channels, listener);
      return original.sUnsubscribe(channels, listener, buffers);
    },
  });
  return async () => {
    await Promise.all(subscriptions.map((s) => (s.sharded
      ? original.sSubscribe(s.channel, s.listener, s.buffers)
      : original.subscribe(s.channel, s.listener, s.buffers))));
  };
}

/** True when a live node's slot table names a primary other than the one the client routes to. */
async function layoutChanged(cluster: RedisClusterClient): Promise<boolean> {
  const reachable = cluster.masters.filter((node) => node.client !== undefined && !(node.client instanceof Promise)
    && node.client.isReady);
  const node = reachable[Math.floor(Math.random() * reachable.length)];
  if (!node) return false;
  const client = await cluster.nodeClient(node);
  const ranges = await client.clusterSlots();
  return ranges.some(({ from, master }) => cluster.slots[from]?.master.address !== `${master.ip}:${master.port}`);
}

export interface FailoverWatch {
  stop: () => void;
}

export function watchClusterFailover(
  clusters: RedisClusterClient[],
  logger: winston.Logger,
  options: { checkEveryMs?: number } = {},
): FailoverWatch {
  const replays = clusters.map((cluster) => recordSubscriptions(cluster));
  let checking = false;
  let stopped = false;
  const check = async () => {
    const first = clusters[0];
    if (checking || stopped || !first?.isOpen) return;
    checking = true;
    try {
      if (!(await layoutChanged(first))) return;
      logger.warn('redis cluster layout changed (a failover?): reconnecting to the new primaries');
      await Promise.all(clusters.map(async (cluster, i) => {
        await cluster.disconnect().catch(() => undefined);
        await cluster.connect();
        await replays[i]?.();
      }));
    } catch (err) {
      logger.warn('redis cluster layout check failed; trying again', { error: (err as Error).message });
    } finally {
      checking = false;
    }
  };
  let pending: NodeJS.Timeout | undefined;
  // A dead node errors on every reconnect attempt: one check shortly after, not one per error.
  const soon = () => {
    if (pending || stopped) return;
    pending = setTimeout(() => { pending = undefined; check().catch(() => undefined); }, 300);
  };
  clusters.forEach((cluster) => cluster.on('error', soon));
  const timer = setInterval(() => { check().catch(() => undefined); }, options.checkEveryMs ?? 5000);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
      if (pending) clearTimeout(pending);
      clusters.forEach((cluster) => cluster.off('error', soon));
    },
  };
}
