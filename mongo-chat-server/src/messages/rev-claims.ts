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
 *
 * A round of new messages claims for all its groups in one insert
 * (`claimMany`). Every revision is claimed before anything carries it, so a
 * group's last revision is the highest of its claims: a process that died
 * between the claim and its write leaves a claim without a change (a gap),
 * never the other way round.
 *
 * A group this process writes alone claims ahead: when it has no claimed
 * revision left, it claims the ones it needs and `ahead` more in the same
 * insert, and hands those out to the group's next changes without another
 * insert (a round of new messages then costs one command, not two). Each is
 * still a claim of its own, made before anything carries it; the reserve is
 * kept in memory only, so one lost with the process is a gap. Claiming ahead
 * is what can reorder revisions across replicas: another replica writing the
 * same group goes past the reserve, and this process may still store a
 * reserved revision after the other stored a higher one. So it stops as soon
 * as another writer shows in the group (a refused claim here, a seq taken in
 * the seq writer): the reserve is dropped and the group claims one change at a
 * time for `sharedMs`. What is left is bounded: at most `ahead` revisions of a
 * group, stored by the replica that held them, after the first revision the
 * other replica stored there.
 *
 * Claims have no holes: every attempt claims a run of revisions that starts
 * right after one already claimed (or at 1), so a group's claims are always
 * 1..last. That is why any claimed revision is a safe place to start: a claim
 * at or below the real last is refused, never taken, so a writer starting
 * afresh never gives a change a revision lower than one already published.
 * Where this process remembers nothing of a group it starts from the group
 * document's `lastRev` hint (read by `_id`, saved in the background, so it may
 * lag but is always a claimed revision) and reads the claims themselves only
 * after a refusal.
 */
import type { Types } from 'mongoose';
import { RecentMap } from '@chat/shared';
import type { RevisionModel } from '../db/models/revision';
import { isDuplicateKey, refusedIndexes } from '../errors';

/** So many revisions wanted in a group. */
export interface RevRequest {
  group: Types.ObjectId;
  count: number;
}

/** Where a group's last revision is kept as a hint: read by `_id`, saved in the background. */
export interface RevHints {
  /** A revision the group has claimed (0 for none), maybe behind its last one. */
  read(group: Types.ObjectId): Promise<number>;
  /** The group has claimed up to `last`. */
  mark(group: Types.ObjectId, last: number): void;
}

/** What this process knows of a group's revisions. */
interface GroupRevs {
  /** The highest revision of the group known to be claimed (by anyone). */
  last: number;
  /** Revisions this process claimed ahead and has not handed out, ascending, all at most `last`. */
  reserve: number[];
  /** Until when (epoch ms) the group is written by another replica too: no claiming ahead. */
  sharedUntil: number;
}

export interface RevClaimsOptions {
  /** Attempts when other writers keep taking the revisions wanted. */
  maxAttempts?: number;
  /** Groups remembered. */
  cacheSize?: number;
  /** Revisions claimed ahead of need in a group this process writes alone. */
  ahead?: number;
  /** How long a group where another writer showed is claimed one change at a time. */
  sharedMs?: number;
  now?: () => number;
}

export class RevClaims {
  private readonly groups: RecentMap<string, GroupRevs>;

  private readonly maxAttempts: number;

  private readonly ahead: number;

  private readonly sharedMs: number;

  private readonly now: () => number;

  constructor(
    private readonly Revision: RevisionModel,
    private readonly hints: RevHints,
    options: RevClaimsOptions = {},
  ) {
    this.groups = new RecentMap(options.cacheSize ?? 10000);
    this.maxAttempts = options.maxAttempts ?? 50;
    this.ahead = options.ahead ?? 15;
    this.sharedMs = options.sharedMs ?? 60000;
    this.now = options.now ?? Date.now;
  }

  /** Where to start claiming in `group`: its last revision from memory, else its hint (a claimed revision that may lag). */
  async lastOf(group: Types.ObjectId): Promise<number> {
    const known = this.groups.get(String(group));
    if (known !== undefined) return known.last;
    const hint = await this.hints.read(group);
    this.seed(String(group), hint);
    return this.groups.get(String(group))?.last ?? hint;
  }

  /** Learns a claimed revision of `group` read elsewhere (its hint): a start, unless a later one is known. */
  seed(group: string, claimed: number): void {
    const known = this.groups.get(group);
    if (known === undefined || claimed > known.last) this.remember(group, claimed);
  }

  forget(group: string): void {
    this.groups.delete(group);
  }

  /**
   * Another writer shows in `group` (the seq writer found one of its seqs taken): drop what was claimed ahead
   * there (a gap) and claim one change at a time for a while, so this process stores no reserved revision
   * after a higher one the other writer may store from now on.
   */
  contended(group: string): void {
    const known = this.groups.get(group);
    if (known) this.groups.set(group, { ...known, reserve: [], sharedUntil: this.now() + this.sharedMs });
  }

  /** Claims the next `count` revisions of `group`, ascending (consecutive unless another writer interleaves). */
  async claim(group: Types.ObjectId, count: number): Promise<number[]> {
    return (await this.claimMany([{ group, count }]))[0] ?? [];
  }

  /**
   * Answers, per request, its revisions ascending: first from what the group has claimed ahead, the rest
   * claimed now for every group at once (ONE unordered insert per attempt: a round of the seq writer touching a
   * hundred groups costs one command, not a hundred), with `ahead` more in each group written alone.
   */
  async claimMany(requests: RevRequest[]): Promise<number[][]> {
    const answers = requests.map(({ group, count }) => this.takeReserved(String(group), count));
    const short = requests.map((r, i) => i).filter((i) => answers[i]!.length < requests[i]!.count);
    if (short.length === 0) return answers;
    const runs = await this.claimRuns(short.map((i) => {
      const { group, count } = requests[i]!;
      return { group, count: count - answers[i]!.length, ahead: this.alone(String(group)) ? this.ahead : 0 };
    }));
    short.forEach((i, k) => {
      const need = requests[i]!.count - answers[i]!.length;
      const run = runs[k]!;
      answers[i]!.push(...run.slice(0, need));
      const key = String(requests[i]!.group);
      const known = this.groups.get(key);
      if (known && this.alone(key)) this.groups.set(key, { ...known, reserve: run.slice(need) });
    });
    return answers;
  }

  /** No other writer has shown in `group` for `sharedMs`: it may claim ahead. */
  private alone(group: string): boolean {
    return (this.groups.get(group)?.sharedUntil ?? 0) <= this.now();
  }

  private takeReserved(group: string, count: number): number[] {
    const known = this.groups.get(group);
    if (!known || known.reserve.length === 0) return [];
    const taken = known.reserve.slice(0, count);
    this.groups.set(group, { ...known, reserve: known.reserve.slice(count) });
    return taken;
  }

  /**
   * Claims `count + ahead` revisions in each group, after the last one known. A revision another writer took is
   * skipped; its group's last revision is read again, the group counts as shared (nothing claimed ahead any
   * more) and the rest of what it needs is claimed after it.
   */
  private async claimRuns(requests: Array<RevRequest & { ahead: number }>): Promise<number[][]> {
    const claimed = requests.map((): number[] => []);
    const wants = requests.map(({ count, ahead }) => count + ahead);
    const lasts = await Promise.all(requests.map(({ group }) => this.lastOf(group)));
    for (let attempt = 1; ; attempt += 1) {
      const open = requests.map((r, i) => i).filter((i) => claimed[i]!.length < wants[i]!);
      if (open.length === 0) return claimed;
      if (attempt > this.maxAttempts) throw new Error('could not claim a revision: too many concurrent writers');
      const wanted = open.flatMap((i) => Array.from(
        { length: wants[i]! - claimed[i]!.length },
        (_, k) => ({ i, rev: lasts[i]! + 1 + k }),
      ));
      let refused = new Set<number>();
      try {
        await this.Revision.collection.insertMany(
          wanted.map(({ i, rev }) => ({ group: requests[i]!.group, rev })),
          { ordered: false },
        );
      } catch (err) {
        if (!isDuplicateKey(err)) {
          open.forEach((i) => this.groups.delete(String(requests[i]!.group)));
          throw err;
        }
        refused = new Set(refusedIndexes(err));
      }
      const crowded = new Set<number>();
      wanted.forEach(({ i, rev }, k) => {
        lasts[i] = Math.max(lasts[i]!, rev);
        if (refused.has(k)) crowded.add(i);
        else claimed[i]!.push(rev);
      });
      // Where another writer took a revision, it may have taken more: learn where the group stands.
      await Promise.all([...crowded].map(async (i) => {
        lasts[i] = Math.max(lasts[i]!, await this.readLast(requests[i]!.group));
        wants[i] = Math.min(wants[i]!, requests[i]!.count);
      }));
      open.forEach((i) => {
        const group = String(requests[i]!.group);
        this.remember(group, lasts[i]!);
        if (crowded.has(i)) this.contended(group);
        this.hints.mark(requests[i]!.group, lasts[i]!);
      });
    }
  }

  private async readLast(group: Types.ObjectId): Promise<number> {
    const claimed = await this.Revision.findOne({ group }, { rev: 1 }).sort({ rev: -1 }).lean();
    return claimed?.rev ?? 0;
  }

  /** The group's last claimed revision is `last`; what it holds ahead and whether it is shared are kept. */
  private remember(group: string, last: number): void {
    const known = this.groups.get(group);
    this.groups.set(group, {
      last, reserve: known?.reserve ?? [], sharedUntil: known?.sharedUntil ?? 0,
    });
  }
}
