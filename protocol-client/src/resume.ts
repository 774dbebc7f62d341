/**
 * After a reconnect, every group held in one step: one `resume` request (per
 * `TIMELINE_LIMITS.resumeGroups` groups) with the rev each held when the
 * connection dropped, one answer with what each missed (docs/design.md, One
 * change stream per group).
 */
import { TIMELINE_LIMITS } from '@chat/contract';
import type { ResultOf } from '@chat/contract';
import type { GroupTimeline } from './timeline';

/** The `resume` ack, one answer per group asked, in the order asked. */
export type Resume = (groups: { room: string; rev: number }[]) => Promise<ResultOf<'resume'>>;

/** Rounds of `resume` for groups still answering `hasMore`; beyond, they catch up by `join room`. */
export const MAX_RESUME_ROUNDS = 5;

export interface ResumeOutcome {
  /** Groups to bring up to date by `join room` instead: refused, still capped, or with a seq gap left. */
  behind: string[];
  /** Messages added and changed, per group. */
  changed: Map<string, number>;
}

/** A group without a rev (nothing held, or stored before revisions existed) has nothing to resume from. */
export const canResume = (timeline: GroupTimeline): boolean => timeline.loaded && timeline.resumeRev > 0;

/**
 * Each changed message takes its latest state, each new one goes in at its seq, once;
 * groups answering `hasMore` are asked again from where they got to.
 */
export async function resumeAll(resume: Resume, timelines: readonly GroupTimeline[]): Promise<ResumeOutcome> {
  const byRoom = new Map(timelines.map((t) => [t.room, t]));
  const behind = new Set<string>();
  const changed = new Map<string, number>();
  let asking = [...timelines];
  for (let round = 0; round < MAX_RESUME_ROUNDS && asking.length > 0; round += 1) {
    const next: GroupTimeline[] = [];
    for (let start = 0; start < asking.length; start += TIMELINE_LIMITS.resumeGroups) {
      const batch = asking.slice(start, start + TIMELINE_LIMITS.resumeGroups);
      const answer = await resume(batch.map((t) => ({ room: t.room, rev: t.resumeRev })));
      answer.groups.forEach((group) => {
        const timeline = byRoom.get(group.room);
        if (!timeline) return;
        if (!group.ok) {
          behind.add(group.room);
          return;
        }
        const { added, updated } = timeline.applyChanges(group.items);
        changed.set(group.room, (changed.get(group.room) ?? 0) + added.length + updated.length);
        timeline.resumed(group.rev, group.hasMore);
        if (group.hasMore) next.push(timeline);
      });
    }
    asking = next;
  }
  asking.forEach((t) => behind.add(t.room));
  timelines.forEach((t) => { if (t.hasGap()) behind.add(t.room); });
  return { behind: [...behind], changed };
}
