/**
 * Presence: a user is online while any of their sockets is connected on any
 * chat server, and offline once the last one has been gone for the grace period
 * (a reconnect inside it changes nothing). Changes are stored through the data
 * service and told to the user's groups in ONE `presence` batch per group per
 * flush interval, so a crowd reconnecting costs each client a bounded number
 * of events.
 *
 * Every beat this server renews its liveness and takes over the counts of
 * servers that stopped beating (a crash): their users get the same grace
 * period, then go offline unless they reconnected somewhere.
 */
import type winston from 'winston';
import type { PresenceBatch, Up } from '@chat/shared';
import type { DataClient } from '../data/client';
import type { PresenceCounter } from './counter';
import { createPresenceStore } from './presence-store';

/**
 * Users of a restarted server need longer than one person's grace: the whole
 * crowd reconnects at once, and the last of a thousand is back after seconds.
 */
const RETURN_WINDOW_MS = 10000;

interface Change {
  online: boolean;
  lastSeen: string;
  groups: readonly string[];
}

export interface LocalSocket {
  up: Up;
  groups: readonly string[];
}

export interface PresenceOptions {
  counter: PresenceCounter;
  data: DataClient;
  /** The ids of a user's groups (for the offline notice of a user whose server died). */
  groupIdsOf: (up: Up) => Promise<string[]>;
  graceMs: number;
  flushMs: number;
  /** How often this server renews its liveness and looks for dead servers. */
  beatMs: number;
  /** How long a server that stopped beating still counts as alive. */
  livenessTtlMs: number;
  /** The sockets connected here now (to count them again if this server was presumed dead). */
  localSockets: () => LocalSocket[];
  /** Sends one batch to a group's room. */
  emit: (group: string, batch: PresenceBatch) => void;
  logger: winston.Logger;
}

/** Counting a whole server's sockets again is done this many at a time. */
const RECOUNT_CHUNK = 50;

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

  const stored = createPresenceStore(data);
  const store = async (up: Up, online: boolean): Promise<string> => {
    try {
      return await stored.set(up, online);
    } catch (err) {
      logger.warn('could not store presence', { up, online, error: (err as Error).message });
      return new Date().toISOString();
    }
  };

  /** `groups` null: the user was on a server that died, so their groups are asked for. */
  const goOfflineIfGone = async (up: Up, groups: readonly string[] | null) => {
    graceTimers.delete(up);
    if (closed) return;
    try {
      if (!(await counter.confirmOffline(up))) return;
    } catch (err) {
      logger.warn('presence check failed', { up, error: (err as Error).message });
      return;
    }
    const lastSeen = await store(up, false);
    let rooms = groups;
    if (!rooms) {
      rooms = await options.groupIdsOf(up).catch((err: Error) => {
        logger.warn('could not load groups for an offline notice', { up, error: err.message });
        return [];
      });
    }
    // The user may have come back on another server while this was stored, and that server's
    // "online" may have been stored first: the last word must match the count.
    if (await counter.isOnline(up).catch(() => false)) {
      record(up, { online: true, lastSeen: await store(up, true), groups: rooms });
      return;
    }
    record(up, { online: false, lastSeen, groups: rooms });
  };

  const startGrace = (up: Up, groups: readonly string[] | null, delayMs = graceMs) => {
    clearTimeout(graceTimers.get(up));
    graceTimers.set(up, setTimeout(() => { void goOfflineIfGone(up, groups); }, delayMs));
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

  const connected = async (up: Up, groups: readonly string[]) => {
    try {
      if (!(await counter.connected(up))) return;
    } catch (err) {
      logger.warn('presence count failed', { up, error: (err as Error).message });
      return;
    }
    const lastSeen = await store(up, true);
    record(up, { online: true, lastSeen, groups });
  };

  const recounted = async (up: Up, held: { sockets: number; groups: readonly string[] } | undefined) => {
    try {
      if (!(await counter.recount(up, held?.sockets ?? 0)) || !held) return;
    } catch (err) {
      logger.warn('presence count failed', { up, error: (err as Error).message });
      return;
    }
    record(up, { online: true, lastSeen: await store(up, true), groups: held.groups });
  };

  let beatenOnce = false;
  let beating = false;
  let beatFailing = false;
  const beat = async () => {
    if (beating || closed) return;
    beating = true;
    try {
      const lapsed = await counter.beat(options.livenessTtlMs);
      if (lapsed && beatenOnce) {
        // Presumed dead (a stall, or Redis lost its data): another server may or may not have
        // removed our counts, so each user's share is set to the sockets held now, not added to.
        const ups = [...new Set(options.localSockets().map((s) => s.up))];
        logger.warn('presence liveness had lapsed; counting this server\'s sockets again', { users: ups.length });
        for (let i = 0; i < ups.length; i += RECOUNT_CHUNK) {
          // Read just before each chunk is sent: sockets come and go while earlier chunks are stored.
          const held = new Map<Up, { sockets: number; groups: readonly string[] }>();
          options.localSockets().forEach((s) => {
            held.set(s.up, { sockets: (held.get(s.up)?.sockets ?? 0) + 1, groups: s.groups });
          });
          await Promise.all(ups.slice(i, i + RECOUNT_CHUNK).map((up) => recounted(up, held.get(up))));
        }
      }
      beatenOnce = true;
      const orphans = await counter.reapDead();
      if (orphans.length > 0) logger.info('took over presence of a server that stopped', { users: orphans.length });
      // Users of a crashed server first have to learn it is gone (the dispatcher's failover),
      // so their grace period is longer. A grace timer already running here knows the groups; keep it.
      orphans.filter((up) => !graceTimers.has(up))
        .forEach((up) => startGrace(up, null, graceMs + options.livenessTtlMs));
      if (beatFailing) logger.info('presence liveness renewed again');
      beatFailing = false;
    } catch (err) {
      if (!beatFailing) logger.warn('presence liveness could not be renewed', { error: (err as Error).message });
      beatFailing = true;
    } finally {
      beating = false;
    }
  };
  const beatTimer = setInterval(() => { void beat(); }, options.beatMs);
  beatTimer.unref();

  return {
    connected,
    disconnected: async (up: Up, groups: readonly string[]) => {
      if (closed) return;
      try {
        if (!(await counter.disconnected(up))) return;
      } catch (err) {
        logger.warn('presence count failed', { up, error: (err as Error).message });
        return;
      }
      startGrace(up, groups);
    },
    /**
     * Shutdown: this server stops beating and its counts are taken over by the
     * others, which give its users the grace period: those moving to another
     * server stay online, those who left (or were in their grace period here) go offline.
     */
    close: async () => {
      closed = true;
      clearInterval(flushTimer);
      clearInterval(beatTimer);
      flush();
      graceTimers.forEach((t) => clearTimeout(t));
      graceTimers.clear();
      try {
        await counter.retire();
      } catch (err) {
        logger.warn('could not retire presence', { error: (err as Error).message });
      }
    },
    /**
     * Start: counts an earlier run under this server id left behind are removed,
     * and their users get the grace period: those reconnecting (a restart) never
     * show offline and cost nothing; the others go offline when it ends. Then the
     * first beat marks this server alive.
     */
    recover: async () => {
      const ups = await counter.releaseServer();
      ups.forEach((up) => startGrace(up, null, graceMs + RETURN_WINDOW_MS));
      if (ups.length > 0) logger.info('released presence left by an earlier run', { users: ups.length });
      await beat();
    },
  };
}

export type Presence = ReturnType<typeof createPresence>;
