/** The store without Redis: one replica, the same rules, kept in this process. */
import { EventEmitter } from 'node:events';
import type { PlacementMap } from '@chat/shared';
import type {
  DispatcherStore, RegistrySnapshot, ServerRecord, ServerReport, StoreEvents,
} from './types';

export function createMemoryStore(): DispatcherStore {
  const servers = new Map<string, ServerRecord>();
  const events = new EventEmitter();
  let map: PlacementMap | null = null;
  let lease: { holder: string; expires: number } | null = null;
  const copy = (m: PlacementMap): PlacementMap => JSON.parse(JSON.stringify(m)) as PlacementMap;

  return {
    kind: 'memory',
    register: async (id, report: ServerReport) => {
      const now = Date.now();
      servers.set(id, {
        id, ...report, registeredAt: now, lastHeartbeat: now, draining: false, deadAt: null,
      });
    },
    heartbeat: async (id, report) => {
      const record = servers.get(id);
      if (!record || record.deadAt !== null) return false;
      servers.set(id, { ...record, ...report, lastHeartbeat: Date.now() });
      return true;
    },
    drain: async (id) => {
      const record = servers.get(id);
      if (!record) return false;
      servers.set(id, { ...record, draining: true });
      return true;
    },
    declareDead: async (id, timeoutMs) => {
      const record = servers.get(id);
      const now = Date.now();
      if (!record || record.deadAt !== null || record.lastHeartbeat >= now - timeoutMs) return false;
      servers.set(id, { ...record, deadAt: now, draining: false });
      return true;
    },
    remove: async (id) => { servers.delete(id); },
    snapshot: async (): Promise<RegistrySnapshot> => ({
      now: Date.now(), servers: [...servers.values()].map((s) => ({ ...s })),
    }),
    readMap: async () => (map ? copy(map) : null),
    readMapVersion: async () => map?.version ?? 0,
    writeMap: async (next, expectedVersion, holder) => {
      if (!lease || lease.holder !== holder || lease.expires < Date.now()) return false;
      if ((map?.version ?? 0) !== expectedVersion) return false;
      map = copy(next);
      events.emit('map', next.version);
      return true;
    },
    claimLease: async (holder, ttlMs) => {
      const now = Date.now();
      if (lease && lease.holder !== holder && lease.expires >= now) return false;
      lease = { holder, expires: now + ttlMs };
      return true;
    },
    releaseLease: async (holder) => { if (lease?.holder === holder) lease = null; },
    subscribe: async (handlers: StoreEvents) => {
      events.on('map', handlers.onMap);
      events.on('nudge', handlers.onNudge);
    },
    nudge: async () => { events.emit('nudge'); },
    ping: async () => true,
    close: async () => { events.removeAllListeners(); },
  };
}
