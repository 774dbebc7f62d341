/**
 * A map that keeps at most `maxEntries` keys: writing a key makes it the
 * newest, and past the bound the least recently written key is forgotten, so
 * the memory held is bounded whatever the traffic. For what a process may
 * forget and read again (a group's last seq or revision): whoever reads it
 * must cope with a missing key.
 */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly maxEntries: number) {
    if (!(maxEntries >= 1)) throw new Error('maxEntries must be at least 1');
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Stores `value` as the newest entry, forgetting the least recently written one past the bound. */
  set(key: K, value: V): void {
    // Re-inserted, so the map's order stays least recently written first.
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
