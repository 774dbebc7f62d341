/**
 * `startDispatcher(config)`: the store (Redis, or memory without REDIS_URL),
 * this replica's map cache, the coordinator that leads when it holds the
 * lease, and the HTTP API. `close()` hands leadership over and stops cleanly.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogging } from '@chat/shared';
import type { DispatcherConfig } from './config';
import { Coordinator } from './coordinator';
import { createApp } from './http/app';
import { MapCache } from './map-cache';
import { createDispatcherMetrics } from './metrics';
import { createMemoryStore } from './store/memory-store';
import { createRedisStore } from './store/redis-store';
import type { DispatcherStore } from './store/types';

export interface RunningDispatcher {
  url: string;
  close: () => Promise<void>;
}

export async function startDispatcher(config: DispatcherConfig): Promise<RunningDispatcher> {
  const logging = createLogging({
    service: 'dispatcher', dir: config.logDir, level: config.logLevel, console: config.logToConsole,
  });
  const { logger } = logging;
  config.warnings.forEach((w) => logger.warn(w));
  let store: DispatcherStore | undefined;
  let cache: MapCache | undefined;
  let coordinator: Coordinator | undefined;
  const stopParts = async () => {
    await coordinator?.stop();
    cache?.stop();
    await store?.close();
  };
  try {
    store = config.redisUrl
      ? await createRedisStore(config.redisUrl, config.redisPrefix, logger)
      : createMemoryStore();
    const readyStore = store;
    const readyCache = new MapCache(readyStore, config.mapRefreshMs, logger);
    cache = readyCache;
    let leading = (): boolean => false;
    const metrics = createDispatcherMetrics({
      map: () => readyCache.current(),
      isLeader: () => leading(),
      registry: () => readyStore.snapshot(),
    });
    const leader = new Coordinator(readyStore, readyCache, {
      id: config.dispatcherId,
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
      checkIntervalMs: config.checkIntervalMs,
      leaseTtlMs: config.leaseTtlMs,
      rebalanceCooldownMs: config.rebalanceCooldownMs,
      highWater: config.highWater,
      lowWater: config.lowWater,
      maxSuffixDepth: config.maxSuffixDepth,
    }, logger, {
      onChanges: (changes) => metrics.recordChanges(changes),
      onDeclaredDead: () => metrics.recordDeath(),
      onLeadership: () => undefined,
    });
    coordinator = leader;
    leading = () => leader.isLeader();
    await readyStore.subscribe({
      onMap: () => { void readyCache.refresh(); },
      onNudge: () => leader.onNudge(),
    });
    await readyCache.start();
    await leader.start();

    const app = createApp({
      config, store: readyStore, cache: readyCache, coordinator: leader, logger, requests: logging.requests, metrics,
    });
    const server = await new Promise<http.Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, () => resolve(s));
      s.once('error', reject);
    });
    const { port } = server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    logger.info('dispatcher listening', {
      url, dispatcher: config.dispatcherId, store: readyStore.kind,
    });

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await stopParts();
        logger.info('dispatcher stopped', { dispatcher: config.dispatcherId });
        await logging.close();
      })();
      return closing;
    };
    return { url, close };
  } catch (err) {
    await stopParts().catch(() => undefined);
    logger.error('dispatcher failed to start', { error: (err as Error).message });
    await logging.close();
    throw err;
  }
}
