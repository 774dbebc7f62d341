/**
 * This replica's copy of the placement map. `/chat/location` answers from it,
 * so a slow or absent Redis never slows placement down; it follows the stored
 * map by version (pub/sub tells it at once, a short poll catches anything missed).
 */
import type winston from 'winston';
import type { PlacementMap } from '@chat/shared';
import { emptyMap } from './placement';
import type { DispatcherStore } from './store/types';

interface Waiter {
  /** Resolves the wait and returns true when `map` is what it waits for. */
  offer: (map: PlacementMap) => boolean;
  /** Resolves the wait with `map` whatever it is. */
  release: (map: PlacementMap) => void;
}

export class MapCache {
  private map: PlacementMap = emptyMap();

  private waiters = new Set<Waiter>();

  private timer: NodeJS.Timeout | undefined;

  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly store: DispatcherStore,
    private readonly refreshMs: number,
    private readonly logger: winston.Logger,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => { void this.refresh(); }, this.refreshMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.waiters.forEach((w) => w.release(this.map));
    this.waiters.clear();
  }

  current(): PlacementMap {
    return this.map;
  }

  /** Takes `map` if it is newer than the one held. */
  offer(map: PlacementMap): void {
    if (map.version <= this.map.version) return;
    this.map = map;
    this.waiters.forEach((w) => { if (w.offer(map)) this.waiters.delete(w); });
  }

  /** Reads the stored map when its version moved on. One refresh at a time. */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.load().finally(() => { this.refreshing = undefined; });
    }
    return this.refreshing;
  }

  /** The first map that satisfies `test`, or the current one after `timeoutMs`. */
  waitFor(test: (map: PlacementMap) => boolean, timeoutMs: number): Promise<PlacementMap> {
    if (test(this.map)) return Promise.resolve(this.map);
    return new Promise((resolve) => {
      let timeout: NodeJS.Timeout | undefined;
      const release = (map: PlacementMap) => { clearTimeout(timeout); resolve(map); };
      const waiter: Waiter = {
        offer: (map) => {
          if (!test(map)) return false;
          release(map);
          return true;
        },
        release,
      };
      timeout = setTimeout(() => { this.waiters.delete(waiter); resolve(this.map); }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private async load(): Promise<void> {
    try {
      const version = await this.store.readMapVersion();
      if (version <= this.map.version) return;
      const map = await this.store.readMap();
      if (map) this.offer(map);
    } catch (err) {
      this.logger.debug('map refresh failed; serving the last map', { error: (err as Error).message });
    }
  }
}
