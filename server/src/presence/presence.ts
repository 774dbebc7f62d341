/**
 * Presence: a user is online while any of their sockets is connected on any
 * chat server, and offline once the last one has been gone for the grace period
 * (a reconnect inside it changes nothing). Changes are stored through the data
 * service and told to the user's groups in ONE `presence` batch per group per
 * flush interval, so a crowd reconnecting costs each client a bounded number
 * of events.
 */
import type winston from 'winston';
import type { PresenceBatch, Up } from '@chat/shared';
import type { DataClient } from '../data/client';
import type { PresenceCounter } from './counter';

interface Change {
  online: boolean;
  lastSeen: string;
  groups: readonly string[];
}

export interface PresenceOptions {
  counter: PresenceCounter;
  data: DataClient;
  graceMs: number;
  flushMs: number;
  /** Sends one batch to a group's room. */
  emit: (group: string, batch: PresenceBatch) => void;
  logger: winston.Logger;
}

export function createPresence(options: PresenceOptions) {
  const {
    counter, data, graceMs, logger,
  } = options;
  const pending = new Map<Up, Change>();
  const graceTimers = new Map<Up, NodeJS.Timeout>();
  let closed = false;

  const record = (up: Up, change: Change) => {
    pending.delete(up);
    pending.set(up, change);
  };

  const store = async (up: Up, online: boolean): Promise<string> => {
    try {
      const user = await data.setOnline(up, online);
      return user.lastSeen ?? new Date().toISOString();
    } catch (err) {
      logger.warn('could not store presence', { up, online, error: (err as Error).message });
      return new Date().toISOString();
    }
  };

  const goOfflineIfGone = async (up: Up, groups: readonly string[]) => {
    graceTimers.delete(up);
    if (closed) return;
    try {
      if (!(await counter.confirmOffline(up))) return;
    } catch (err) {
      logger.warn('presence check failed', { up, error: (err as Error).message });
      return;
    }
    const lastSeen = await store(up, false);
    record(up, { online: false, lastSeen, groups });
  };

  const flush = () => {
    if (pending.size === 0) return;
    const byGroup = new Map<string, PresenceBatch>();
    pending.forEach((change, up) => {
      change.groups.forEach((group) => {
        const batch = byGroup.get(group) ?? { online: [], offline: [] };
        if (change.online) batch.online.push(up);
        else batch.offline.push({ up, lastSeen: change.lastSeen });
        byGroup.set(group, batch);
      });
    });
    pending.clear();
    byGroup.forEach((batch, group) => options.emit(group, batch));
  };
  const flushTimer = setInterval(flush, options.flushMs);
  flushTimer.unref();

  return {
    connected: async (up: Up, groups: readonly string[]) => {
      try {
        if (!(await counter.connected(up))) return;
      } catch (err) {
        logger.warn('presence count failed', { up, error: (err as Error).message });
        return;
      }
      const lastSeen = await store(up, true);
      record(up, { online: true, lastSeen, groups });
    },
    disconnected: async (up: Up, groups: readonly string[]) => {
      if (closed) return;
      try {
        if (!(await counter.disconnected(up))) return;
      } catch (err) {
        logger.warn('presence count failed', { up, error: (err as Error).message });
        return;
      }
      clearTimeout(graceTimers.get(up));
      graceTimers.set(up, setTimeout(() => { void goOfflineIfGone(up, groups); }, graceMs));
    },
    /**
     * Shutdown: this server's sockets stop counting, but their users are not
     * shown offline — they are moving to another server, not leaving.
     */
    close: async () => {
      closed = true;
      clearInterval(flushTimer);
      flush();
      graceTimers.forEach((t) => clearTimeout(t));
      graceTimers.clear();
      try {
        await counter.releaseServer();
      } catch (err) {
        logger.warn('could not release presence counts', { error: (err as Error).message });
      }
    },
    /** A restart after a crash: counts this server left behind are removed, and users with none left go offline. */
    recover: async () => {
      const ups = await counter.releaseServer();
      await Promise.all(ups.map(async (up) => {
        if (await counter.confirmOffline(up)) await store(up, false);
      }));
      if (ups.length > 0) logger.info('released presence left by an earlier run', { users: ups.length });
    },
  };
}

export type Presence = ReturnType<typeof createPresence>;
