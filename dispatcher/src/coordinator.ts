/**
 * Leadership and the map's evolution. Every replica tries to hold the lease;
 * the holder, every check interval (and when nudged), declares silent servers
 * dead, plans the next map from the live ones and writes it on top of the
 * version it read. Others only follow the map. The leader also steps at the
 * moment the next server's heartbeats run out, so a crash is acted on at the
 * heartbeat timeout, not up to a check interval later.
 */
import type winston from 'winston';
import type { PlacementMap } from '@chat/shared';
import { emptyMap, planMap } from './placement';
import type { LiveServer, PlacementChange } from './placement';
import type { MapCache } from './map-cache';
import type { DispatcherStore, ServerRecord } from './store/types';

export interface CoordinatorOptions {
  id: string;
  heartbeatTimeoutMs: number;
  checkIntervalMs: number;
  leaseTtlMs: number;
  rebalanceCooldownMs: number;
  highWater: number;
  lowWater: number;
  maxSuffixDepth: number;
}

export interface CoordinatorObserver {
  onChanges: (changes: PlacementChange[], map: PlacementMap) => void;
  onDeclaredDead: (serverId: string) => void;
}

/** Steps at a heartbeat deadline run this long after it: the store's test is strict. */
const DEADLINE_SLACK_MS = 5;

/** Servers declared dead stay listed (alive: false) this long, then are forgotten. */
const forgetDeadAfter = (timeoutMs: number) => Math.max(60000, 10 * timeoutMs);

export class Coordinator {
  private leader = false;

  private timer: NodeJS.Timeout | undefined;

  /** The step due when the quietest live server's heartbeat timeout runs out. */
  private deadline: NodeJS.Timeout | undefined;

  /** One step at a time: planning is read-modify-write. */
  private queue: Promise<void> = Promise.resolve();

  /** When each server's leaves last changed (store clock), for the rebalance cooldown. */
  private readonly touchedAt = new Map<string, number>();

  private stopped = false;

  constructor(
    private readonly store: DispatcherStore,
    private readonly cache: MapCache,
    private readonly options: CoordinatorOptions,
    private readonly logger: winston.Logger,
    private readonly observer: CoordinatorObserver,
  ) {}

  isLeader(): boolean {
    return this.leader;
  }

  start(): Promise<void> {
    this.timer = setInterval(() => { void this.step(); }, this.options.checkIntervalMs);
    return this.step();
  }

  /** Re-plans now on the leader; elsewhere asks the leader to. */
  async requestPlan(): Promise<void> {
    if (this.leader) {
      await this.step();
      return;
    }
    await this.store.nudge().catch((err: Error) => {
      this.logger.warn('could not nudge the leader', { error: err.message });
    });
  }

  /** A nudge from another replica. */
  onNudge(): void {
    if (this.leader) void this.step();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    clearTimeout(this.deadline);
    await this.queue;
    if (this.leader) {
      this.setLeader(false);
      await this.store.releaseLease(this.options.id).catch(() => undefined);
    }
  }

  /** Claims or renews the lease, then plans when leader. Queued so steps never overlap. */
  step(): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.stopped) return;
      try {
        this.setLeader(await this.store.claimLease(this.options.id, this.options.leaseTtlMs));
        if (this.leader) await this.plan();
      } catch (err) {
        // Redis away: keep serving the cached map; a lease we cannot renew is not ours.
        this.setLeader(false);
        this.logger.warn('placement step failed', { error: (err as Error).message });
      }
    });
    return this.queue;
  }

  private setLeader(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    this.logger.info(leader ? 'this replica now leads placement' : 'this replica no longer leads placement', {
      dispatcher: this.options.id,
    });
  }

  private async plan(): Promise<void> {
    const { heartbeatTimeoutMs } = this.options;
    let { now, servers } = await this.store.snapshot();
    const silent = servers.filter((s) => s.deadAt === null && s.lastHeartbeat < now - heartbeatTimeoutMs);
    if (silent.length > 0) {
      for (const s of silent) {
        if (await this.store.declareDead(s.id, heartbeatTimeoutMs)) {
          this.logger.warn('chat server missed its heartbeats: declared dead', { server: s.id, url: s.url });
          this.observer.onDeclaredDead(s.id);
        }
      }
      ({ now, servers } = await this.store.snapshot());
    }
    this.stepAtNextDeadline(servers, now);
    await this.forgetLongDead(servers, now);

    const stored = await this.store.readMap();
    const storedVersion = stored?.version ?? 0;
    // A lost map (Redis flushed) restarts above the version replicas hold, so they take the new one.
    const base = stored ?? { ...emptyMap(), version: Math.max(storedVersion, this.cache.current().version) };
    const live: LiveServer[] = servers.filter((s) => s.deadAt === null && !s.draining).map((s) => ({
      id: s.id, url: s.url, capacity: s.capacity, load: s.load, leafLoads: s.leafLoads,
    }));
    const cooldown = this.options.rebalanceCooldownMs;
    this.touchedAt.forEach((at, id) => { if (now - at >= cooldown) this.touchedAt.delete(id); });
    const unsettled = new Set(this.touchedAt.keys());
    const result = planMap(base, live, {
      highWater: this.options.highWater,
      lowWater: this.options.lowWater,
      maxDepth: this.options.maxSuffixDepth,
      unsettled,
    });
    if (result.changes.length === 0) {
      if (stored) this.cache.offer(stored);
      return;
    }
    if (!(await this.store.writeMap(result.map, storedVersion, this.options.id))) {
      this.logger.info('the map changed under this replica; planning again next time');
      return;
    }
    result.touched.forEach((id) => this.touchedAt.set(id, now));
    this.cache.offer(result.map);
    this.logger.info('placement map changed', { version: result.map.version, changes: result.changes });
    this.observer.onChanges(result.changes, result.map);
  }

  /** Schedules a step just after the earliest moment a live server can be declared dead, when that comes before the next check. */
  private stepAtNextDeadline(servers: ServerRecord[], now: number): void {
    clearTimeout(this.deadline);
    this.deadline = undefined;
    const beats = servers.filter((s) => s.deadAt === null).map((s) => s.lastHeartbeat);
    if (beats.length === 0) return;
    const lastDue = Math.min(...beats) + this.options.heartbeatTimeoutMs - now;
    const dueIn = Math.max(0, lastDue) + DEADLINE_SLACK_MS;
    if (dueIn >= this.options.checkIntervalMs) return;
    this.deadline = setTimeout(() => { void this.step(); }, dueIn);
  }

  private async forgetLongDead(servers: ServerRecord[], now: number): Promise<void> {
    const limit = forgetDeadAfter(this.options.heartbeatTimeoutMs);
    const forgotten = servers.filter((s) => s.deadAt !== null && now - s.deadAt > limit);
    for (const s of forgotten) {
      await this.store.remove(s.id);
      this.touchedAt.delete(s.id);
    }
  }
}
