/**
 * The dispatcher's own metrics, on top of the shared HTTP ones: the map's
 * version, leadership, and per live server its load, capacity and leaves.
 */
import client from 'prom-client';
import { createMetrics } from '@chat/shared';
import type { PlacementMap, ServiceMetrics } from '@chat/shared';
import { leafCounts } from './placement';
import type { PlacementChange } from './placement';
import type { RegistrySnapshot } from './store/types';

export interface MetricSources {
  map: () => PlacementMap;
  isLeader: () => boolean;
  registry: () => Promise<RegistrySnapshot>;
}

export interface DispatcherMetrics extends ServiceMetrics {
  recordChanges: (changes: PlacementChange[]) => void;
  recordDeath: () => void;
}

export function createDispatcherMetrics(sources: MetricSources): DispatcherMetrics {
  const base = createMetrics('dispatcher');
  const registers = [base.registry];
  // The three per-server gauges are collected in parallel from one registry read.
  let reading: Promise<void> | undefined;
  const perServer = (name: string, help: string) => new client.Gauge({
    name,
    help,
    labelNames: ['server'] as const,
    registers,
    async collect() { await readServers(); },
  });
  const load = perServer('dispatcher_server_load', 'Connected sockets each live chat server last reported');
  const capacity = perServer('dispatcher_server_capacity', 'Capacity each live chat server declared');
  const leaves = perServer('dispatcher_server_leaves', 'Suffix leaves of the map each chat server owns');
  function readServers(): Promise<void> {
    reading ??= (async () => {
      const counts = leafCounts(sources.map());
      const { servers } = await sources.registry();
      [load, capacity, leaves].forEach((g) => g.reset());
      servers.filter((s) => s.deadAt === null).forEach((s) => {
        load.set({ server: s.id }, s.load);
        capacity.set({ server: s.id }, s.capacity);
      });
      counts.forEach((n, id) => leaves.set({ server: id }, n));
    })().catch(() => undefined).finally(() => { reading = undefined; });
    return reading;
  }
  // eslint-disable-next-line no-new
  new client.Gauge({
    name: 'dispatcher_map_version',
    help: 'Version of the placement map this replica serves',
    registers,
    collect() { this.set(sources.map().version); },
  });
  // eslint-disable-next-line no-new
  new client.Gauge({
    name: 'dispatcher_live_servers',
    help: 'Chat servers in the placement map (alive)',
    registers,
    collect() { this.set(Object.keys(sources.map().servers).length); },
  });
  // eslint-disable-next-line no-new
  new client.Gauge({
    name: 'dispatcher_leader',
    help: '1 when this replica holds the lease and makes the map changes',
    registers,
    collect() { this.set(sources.isLeader() ? 1 : 0); },
  });
  const changes = new client.Counter({
    name: 'dispatcher_map_changes_total',
    help: 'Placement map changes this replica made, by kind (join, leave, url, split, merge)',
    labelNames: ['type'] as const,
    registers,
  });
  const deaths = new client.Counter({
    name: 'dispatcher_servers_declared_dead_total',
    help: 'Chat servers this replica declared dead after missed heartbeats',
    registers,
  });
  return {
    ...base,
    recordChanges: (list) => list.forEach((c) => changes.inc({ type: c.type })),
    recordDeath: () => deaths.inc(),
  };
}
