/**
 * Keys remembered for a while: each one expires `ttlMs` after it was last
 * added, and past `maxEntries` the least recently added one is forgotten, so
 * the memory held is bounded whatever the traffic. What may be cached, and
 * what revokes it, is the owner's rule; this only keeps time and size.
 */
export class TtlSet<K = string> {
  private readonly until = new Map<K, number>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 100000) {}

  has(key: K): boolean {
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.until.delete(key);
    return false;
  }

  add(key: K): void {
    // Re-adding moves the key to the newest end, so eviction takes the least recently added.
    this.until.delete(key);
    if (this.until.size >= this.maxEntries) {
      const oldest = this.until.keys().next();
      if (!oldest.done) this.until.delete(oldest.value);
    }
    this.until.set(key, Date.now() + this.ttlMs);
  }

  delete(key: K): void {
    this.until.delete(key);
  }

  /** Forgets every key `matches` accepts (e.g. every member of a deleted group). */
  deleteWhere(matches: (key: K) => boolean): void {
    [...this.until.keys()].forEach((key) => { if (matches(key)) this.until.delete(key); });
  }

  get size(): number {
    return this.until.size;
  }
}
