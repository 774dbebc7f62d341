/**
 * Group revisions (docs/design.md, One change stream per group): the seq
 * writer claims the next revisions of a group here before it writes a change.
 *
 * The guarantee, enforced here: a revision of a group is claimed once, ever,
 * by inserting it into the revision collection, whose unique index (group, rev)
 * refuses a second claim from any process. A claim is made at the last
 * revision this process knows + 1; when another replica took it first, the
 * group's real last revision is read back (through that index) and the claim
 * moves past it. Claims are made by the serialized writer only, so in one
 * process the changes of a group are written in the order of their revisions.
 */
import type { Types } from 'mongoose';
import type { RevisionModel } from '../db/models/revision';
import { isDuplicateKey, writtenBeforeError } from '../errors';

export class RevClaims {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly Revision: RevisionModel,
    private readonly maxAttempts = 50,
    private readonly cacheSize = 10000,
  ) {}

  /** The last revision this process claimed or saw in `group`, if it remembers one. */
  known(group: string): number | undefined {
    return this.last.get(group);
  }

  /** The group's last claimed revision, from memory or through the (group, rev) index. */
  async lastOf(group: Types.ObjectId): Promise<number> {
    const known = this.last.get(String(group));
    if (known !== undefined) return known;
    return this.readLast(group);
  }

  forget(group: string): void {
    this.last.delete(group);
  }

  /** Claims the next `count` revisions of `group`, ascending (consecutive unless another writer interleaves). */
  async claim(group: Types.ObjectId, count: number): Promise<number[]> {
    const claimed: number[] = [];
    let last = await this.lastOf(group);
    for (let attempt = 1; claimed.length < count; attempt += 1) {
      if (attempt > this.maxAttempts) throw new Error('could not claim a revision: too many concurrent writers');
      const from = last + 1;
      const want = Array.from({ length: count - claimed.length }, (_, i) => from + i);
      let stored = want.length;
      try {
        await this.Revision.collection.insertMany(want.map((rev) => ({ group, rev })), { ordered: true });
      } catch (err) {
        if (!isDuplicateKey(err)) {
          this.last.delete(String(group));
          throw err;
        }
        stored = writtenBeforeError(err);
      }
      claimed.push(...want.slice(0, stored));
      last = stored > 0 ? want[stored - 1]! : last;
      if (claimed.length < count) last = Math.max(last, await this.readLast(group));
      this.remember(String(group), last);
    }
    return claimed;
  }

  private async readLast(group: Types.ObjectId): Promise<number> {
    const newest = await this.Revision.findOne({ group }, { rev: 1 }).sort({ rev: -1 }).lean();
    const last = newest?.rev ?? 0;
    this.remember(String(group), last);
    return last;
  }

  private remember(group: string, last: number): void {
    this.last.delete(group);
    this.last.set(group, last);
    if (this.last.size > this.cacheSize) {
      const oldest = this.last.keys().next();
      if (!oldest.done) this.last.delete(oldest.value);
    }
  }
}
