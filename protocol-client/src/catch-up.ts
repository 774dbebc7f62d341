/**
 * Bringing a group's timeline up to date through `join room` acks: the newest
 * page the first time, then everything after the last contiguous seq, page by
 * page, each message once (docs/design.md, Catch-up and the recent buffer).
 */
import type { JoinRoomResult } from '@chat/contract';
import type { GroupTimeline } from './timeline';

export type JoinRoom = (room: string, since?: number) => Promise<JoinRoomResult>;

/** Beyond this many missed messages, replaying them is pointless for a reader: show the newest instead. */
export const MAX_REPLAY = 500;
const MAX_ROUNDS = 20;

export interface CatchUpOutcome {
  /** Messages that were not held before. */
  added: number;
  /** The group's newest seq as the server reported it. */
  lastSeq: number;
}

export interface FillOptions {
  /** More missed messages than this: take the newest page instead (Infinity: always replay). */
  maxReplay?: number;
  /** Pages asked at most. */
  maxRounds?: number;
}

/** The newest page: what a reader sees first. */
export async function loadLatest(join: JoinRoom, timeline: GroupTimeline): Promise<CatchUpOutcome> {
  const res = await join(timeline.room);
  const added = timeline.merge(res.messages).length;
  timeline.markLoaded(res.hasMore);
  return { added, lastSeq: res.lastSeq };
}

/** Everything after the last contiguous seq held (from seq 1 when nothing is held), page by page. */
export async function fillFrom(
  join: JoinRoom,
  timeline: GroupTimeline,
  options: FillOptions = {},
): Promise<CatchUpOutcome> {
  const { maxReplay = MAX_REPLAY, maxRounds = MAX_ROUNDS } = options;
  let added = 0;
  let { lastSeq } = timeline;
  for (let round = 0; round < maxRounds; round += 1) {
    const since = timeline.contiguousLastSeq();
    const res = await join(timeline.room, since);
    lastSeq = Math.max(lastSeq, res.lastSeq);
    if (round === 0 && res.hasMore && res.lastSeq - since > maxReplay) {
      const latest = await join(timeline.room);
      timeline.resetTo(latest.messages, latest.hasMore);
      return { added: latest.messages.length, lastSeq: Math.max(lastSeq, latest.lastSeq) };
    }
    added += timeline.merge(res.messages).length;
    const complete = timeline.contiguousLastSeq() >= res.lastSeq;
    if (complete || !res.hasMore || res.messages.length === 0) break;
  }
  timeline.markLoaded();
  return { added, lastSeq };
}

/** The newest page the first time; after that, whatever is missing. */
export function catchUp(join: JoinRoom, timeline: GroupTimeline): Promise<CatchUpOutcome> {
  return timeline.loaded ? fillFrom(join, timeline) : loadLatest(join, timeline);
}
