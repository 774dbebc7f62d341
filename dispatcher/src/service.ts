/**
 * `startDispatcher(config)`: the store (Redis, or memory without it),
 * this replica's map cache, the coordinator that leads when it holds the
 * lease, and the HTTP API. `close()` hands leadership over and stops cleanly.
 */
import http from 'node:http';
import type winston from 'winston';
import {
  closeServer, createLogging, listen, localUrl,
} from '@chat/shared';
import type { DispatcherConfig } from './config';
import { Coordinator } from './coordinator';
import { createApp } from './http/app';
import { MapCache } from './map-cache';
import { createDispatcherMetrics } from './metrics';
import type { DispatcherMetrics } from './metrics';
import { createMemoryStore } from './store/memory-store';
import { createRedisStore } from './store/redis-store';
import type { DispatcherStore } from './store/types';

export interface RunningDispatcher {
  url: string;
  logger: winston.Logger;
  close: () => Promise<void>;
}

/** Requests in flight when a close begins get this long to finish. */
const CLOSE_GRACE_MS = 2000;

interface Parts {
  store: DispatcherStore;
  cache: MapCache;
  coordinator: Coordinator;
  metrics: DispatcherMetrics;
}

/** Wires the store, cache, coordinator and metrics together, and starts following the map. */
async function startParts(config: DispatcherConfig, store: DispatcherStore, logger: winston.Logger): Promise<Parts> {
  const cache = new MapCache(store, config.mapRefreshMs, logger);
  let coordinator: Coordinator | undefined;
  const metrics = createDispatcherMetrics({
    map: () => cache.current(),
    isLeader: () => coordinator?.isLeader() ?? false,
    registry: () => store.snapshot(),
  });
  coordinator = new Coordinator(store, cache, {
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
  });
  const leader = coordinator;
  await store.subscribe({
    onMap: () => { void cache.refresh(); },
    onNudge: () => leader.onNudge(),
  });
  await cache.start();
  await leader.start();
  return {
    store, cache, coordinator: leader, metrics,
  };
}

export async function startDispatcher(config: DispatcherConfig): Promise<RunningDispatcher> {
  const logging = createLogging({
    service: 'dispatcher', dir: config.logDir, level: config.logLevel, console: config.logToConsole,
  });
  const { logger } = logging;
  config.warnings.forEach((w) => logger.warn(w));
  let store: DispatcherStore | undefined;
  let parts: Parts | undefined;
  const stopParts = async () => {
    await parts?.coordinator.stop();
    parts?.cache.stop();
    await store?.close();
  };
  try {
    store = config.redis
      ? await createRedisStore(config.redis, config.redisPrefix, logger)
      : createMemoryStore();
    parts = await startParts(config, store, logger);
    const server = http.createServer(createApp({
      config, ...parts, logger, requests: logging.requests,
    }));
    const url = localUrl(config.host, await listen(server, config.port, config.host));
    logger.info('dispatcher listening', { url, dispatcher: config.dispatcherId, store: store.kind });

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        await closeServer(server, CLOSE_GRACE_MS);
        await stopParts();
        logger.info('dispatcher stopped', { dispatcher: config.dispatcherId });
        await logging.close();
      })();
      return closing;
    };
    return { url, logger, close };
  } catch (err) {
    await stopParts().catch(() => undefined);
    logger.error('dispatcher failed to start', { error: (err as Error).message });
    await logging.close();
    throw err;
  }
}
