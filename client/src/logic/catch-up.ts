/**
 * Bringing a group's timeline up to date through `join room` acks: the newest
 * page the first time, then everything after the last contiguous seq, page by
 * page, each message once (docs/design.md, Catch-up and the recent buffer); and
 * after a reconnect, every group's changes since its rev in one `resume`
 * (docs/design.md, One change stream per group).
 */
import { TIMELINE_LIMITS } from '@chat/contract';
import type { JoinRoomResult, ResultOf } from '@chat/contract';
import type { Timeline } from './timeline';

export type JoinRoom = (room: string, since?: number) => Promise<JoinRoomResult>;

/** Beyond this many missed messages, replaying them is pointless: show the newest and let scrolling fetch the rest. */
export const MAX_REPLAY = 500;
const MAX_ROUNDS = 20;

export interface CatchUpOutcome {
  /** Messages that were not held before. */
  added: number;
  /** The group's newest seq as the server reported it. */
  lastSeq: number;
}

export async function loadLatest(join: JoinRoom, timeline: Timeline): Promise<CatchUpOutcome> {
  const res = await join(timeline.room);
  const added = timeline.merge(res.messages).length;
  timeline.hasOlder = res.hasMore && timeline.firstSeq !== 1;
  timeline.loaded = true;
  return { added, lastSeq: res.lastSeq };
}

export async function catchUp(join: JoinRoom, timeline: Timeline): Promise<CatchUpOutcome> {
  if (!timeline.loaded) return loadLatest(join, timeline);
  let added = 0;
  let { lastSeq } = timeline;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const since = timeline.contiguousLastSeq();
    const res = await join(timeline.room, since);
    lastSeq = Math.max(lastSeq, res.lastSeq);
    if (round === 0 && res.hasMore && res.lastSeq - since > MAX_REPLAY) {
      const latest = await join(timeline.room);
      timeline.resetTo(latest.messages, latest.hasMore);
      return { added: latest.messages.length, lastSeq: Math.max(lastSeq, latest.lastSeq) };
    }
    added += timeline.merge(res.messages).length;
    const complete = timeline.contiguousLastSeq() >= res.lastSeq;
    if (complete || !res.hasMore || res.messages.length === 0) break;
  }
  return { added, lastSeq };
}

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

/**
 * After a reconnect: every group held, in one `resume` request (batches of
 * `TIMELINE_LIMITS.resumeGroups`), each from the rev it held when the connection
 * dropped. Each changed message takes its latest state, each new one goes in at its
 * seq, once; groups answering `hasMore` are asked again from where they got to.
 */
export async function resumeAll(resume: Resume, timelines: readonly Timeline[]): Promise<ResumeOutcome> {
  const byRoom = new Map(timelines.map((t) => [t.room, t]));
  const behind = new Set<string>();
  const changed = new Map<string, number>();
  let asking = [...timelines];
  for (let round = 0; round < MAX_RESUME_ROUNDS && asking.length > 0; round += 1) {
    const next: Timeline[] = [];
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
