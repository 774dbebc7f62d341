/**
 * This server's side of placement: register with the dispatcher, beat every
 * interval with the current load (registering again when the dispatcher has
 * declared us dead), take each new map, fetch it between beats when asked,
 * and deregister on shutdown.
 */
import type winston from 'winston';
import { AppError } from '@chat/shared';
import type { PlacementMap } from '@chat/shared';
import type { DispatcherClient } from './dispatcher-client';
import { createFreshCall } from './fresh-call';

/** On-demand map fetches start at least this far apart, however many handshakes ask. */
const MAP_FETCH_GAP_MS = 50;

export interface DispatcherLinkOptions {
  client: DispatcherClient;
  serverId: string;
  url: string;
  capacity: number;
  intervalMs: number;
  load: () => number;
  /** Sockets per leaf owned here (sent with every beat). */
  leafLoads?: () => Record<string, number>;
  /** A map from the dispatcher; `registered` when it answers a registration (authoritative). */
  onMap: (map: PlacementMap, registered: boolean) => void;
  logger: winston.Logger;
}

export function createDispatcherLink(options: DispatcherLinkOptions) {
  const { client, logger } = options;
  let registered = false;
  let { intervalMs } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failing = false;

  const state = () => ({
    id: options.serverId,
    url: options.url,
    capacity: options.capacity,
    load: options.load(),
    leafLoads: options.leafLoads?.(),
  });

  const register = async () => {
    const reply = await client.register(state());
    registered = true;
    if (reply.heartbeatIntervalMs) intervalMs = Math.min(options.intervalMs, reply.heartbeatIntervalMs);
    options.onMap(reply.map, true);
    logger.info('registered with the dispatcher', { serverId: options.serverId, mapVersion: reply.map.version });
  };

  const beat = async () => {
    try {
      if (!registered) {
        await register();
      } else {
        options.onMap(await client.heartbeat(state()), false);
      }
      if (failing) logger.info('dispatcher reachable again');
      failing = false;
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') {
        registered = false;
        logger.warn('the dispatcher forgot this server; registering again');
        await register().catch(() => undefined);
        return;
      }
      if (!failing) logger.warn('dispatcher heartbeat failed', { error: (err as Error).message });
      failing = true;
    }
  };

  // A fetch that fails leaves the map as it was; the caller decides with what it has.
  const fetchMap = createFreshCall(async () => {
    try {
      options.onMap(await client.currentMap(), false);
    } catch (err) {
      logger.debug('could not fetch the map from the dispatcher', { error: (err as Error).message });
    }
  }, MAP_FETCH_GAP_MS);

  const loop = async () => {
    await beat();
    if (!stopped) {
      timer = setTimeout(() => { void loop(); }, intervalMs);
      timer.unref();
    }
  };

  return {
    /** Registers (retrying in the background if the dispatcher is not up yet). */
    start: () => loop(),
    isRegistered: () => registered,
    /** Takes the dispatcher's map as it is now (not as of the last beat); never rejects. */
    refreshMap: (): Promise<void> => fetchMap(),
    /** Registered, and the last beat got through. */
    isReachable: () => registered && !failing,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (!registered) return;
      try {
        await client.deregister(options.serverId);
        registered = false;
      } catch (err) {
        logger.warn('could not deregister from the dispatcher', { error: (err as Error).message });
      }
    },
  };
}
