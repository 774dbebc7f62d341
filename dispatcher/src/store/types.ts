/**
 * Where the registry, the map and the leader lease live. Two implementations
 * with the same behaviour: Redis (several replicas share it) and memory (one
 * replica, no Redis). Every decision that must not race is made inside the
 * store, atomically: a heartbeat never revives a server declared dead, and
 * only the lease holder can write the map, on top of the version it read.
 */
import type { PlacementMap } from '@chat/shared';

/** What a chat server says about itself on register and on every heartbeat. */
export interface ServerReport {
  url: string;
  capacity: number;
  /** Connected sockets. */
  load: number;
  /** Connected users per leaf of the map, when the server counts them. */
  leafLoads: Record<string, number> | null;
}

export interface ServerRecord extends ServerReport {
  id: string;
  /** Store clock, ms. */
  registeredAt: number;
  lastHeartbeat: number;
  /** It asked to leave: its leaves move to others before it is removed. */
  draining: boolean;
  /** When the leader declared it dead (missed heartbeats); null while alive. */
  deadAt: number | null;
}

export interface RegistrySnapshot {
  /** The store's clock when the snapshot was taken, ms: one clock for every replica. */
  now: number;
  servers: ServerRecord[];
}

export interface StoreEvents {
  /** The stored map changed to `version`. */
  onMap: (version: number) => void;
  /** A replica asked the leader to re-plan now (a server registered or is leaving). */
  onNudge: () => void;
}

export interface DispatcherStore {
  readonly kind: 'redis' | 'memory';
  /** Adds the server or replaces what is known about it, alive again if it was declared dead. */
  register: (id: string, report: ServerReport) => Promise<void>;
  /** Records a heartbeat; false when the server is unknown or was declared dead (it must register again). */
  heartbeat: (id: string, report: ServerReport) => Promise<boolean>;
  /** Marks the server as leaving; false when unknown. */
  drain: (id: string) => Promise<boolean>;
  /** Declares the server dead if it is still silent for `timeoutMs`; true when this call did it. */
  declareDead: (id: string, timeoutMs: number) => Promise<boolean>;
  remove: (id: string) => Promise<void>;
  snapshot: () => Promise<RegistrySnapshot>;
  readMap: () => Promise<PlacementMap | null>;
  /** 0 when no map was ever written. */
  readMapVersion: () => Promise<number>;
  /** Writes the map when `holder` holds the lease and the stored version is still `expectedVersion`. */
  writeMap: (map: PlacementMap, expectedVersion: number, holder: string) => Promise<boolean>;
  /** Takes the lease when it is free, renews it when `holder` has it; false when another replica holds it. */
  claimLease: (holder: string, ttlMs: number) => Promise<boolean>;
  releaseLease: (holder: string) => Promise<void>;
  subscribe: (events: StoreEvents) => Promise<void>;
  nudge: () => Promise<void>;
  /** True when the backing store answers. */
  ping: () => Promise<boolean>;
  close: () => Promise<void>;
}
