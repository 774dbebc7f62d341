/**
 * Bringing a group's timeline up to date through `join room` acks: the newest
 * page the first time, then everything after the last contiguous seq, page by
 * page, each message once (docs/design.md, Catch-up and the recent buffer).
 */
import type { JoinRoomResult } from '@chat/contract';
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
