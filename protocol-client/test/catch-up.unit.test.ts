/** Catching a group up through `join room` acks, against an in-memory room that answers like the contract says. */
import assert from 'node:assert/strict';
import type { ChatMessagePayload, JoinRoomResult } from '@chat/contract';
import {
  catchUp, fillFrom, loadLatest, MAX_REPLAY,
} from '../src/catch-up';
import type { JoinRoom } from '../src/catch-up';
import { GroupTimeline as Timeline } from '../src/timeline';

const ROOM = 'g1';

/** A room of `count` messages; pages of `page` at most, like a server's capped ack. */
function fakeRoom(count: number, page = 50) {
  const messages: ChatMessagePayload[] = [];
  const add = (n: number) => {
    for (let i = 0; i < n; i += 1) {
      const seq = messages.length + 1;
      messages.push({
        id: `id-${seq}`, seq, message: `m${seq}`, up: '1002', room: ROOM, timestamp: new Date().toISOString(), clientId: `c${seq}`,
      });
    }
  };
  add(count);
  const calls: (number | undefined)[] = [];
  const join: JoinRoom = async (room, since) => {
    calls.push(since);
    const lastSeq = messages.length;
    let slice: ChatMessagePayload[];
    let hasMore: boolean;
    if (since === undefined) {
      slice = messages.slice(Math.max(0, lastSeq - page));
      hasMore = lastSeq > page;
    } else {
      slice = messages.slice(since, since + page);
      hasMore = since + page < lastSeq;
    }
    const result: JoinRoomResult = {
      room, messages: slice, lastSeq, hasMore,
    };
    return result;
  };
  return { join, add, calls };
}

const seqs = (t: Timeline) => t.messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('protocol client: catch-up', () => {
  it('loads the newest page first and knows older messages exist', async () => {
    const room = fakeRoom(120);
    const timeline = new Timeline(ROOM);
    await loadLatest(room.join, timeline);
    assert.deepEqual(seqs(timeline), range(71, 120));
    assert.equal(timeline.loaded, true);
    assert.equal(timeline.hasOlder, true);
  });

  it('after a disconnect, gets every missed message exactly once and in order, page by page', async () => {
    const room = fakeRoom(30);
    const timeline = new Timeline(ROOM);
    await catchUp(room.join, timeline);
    assert.equal(timeline.hasOlder, false);
    room.add(130); // missed while away: more than one page
    const outcome = await catchUp(room.join, timeline);
    assert.deepEqual(seqs(timeline), range(1, 160));
    assert.equal(outcome.added, 130);
    assert.equal(outcome.lastSeq, 160);
    assert.deepEqual(room.calls.slice(1), [30, 80, 130]);
  });

  it('costs one join that returns nothing when nothing was missed', async () => {
    const room = fakeRoom(10);
    const timeline = new Timeline(ROOM);
    await catchUp(room.join, timeline);
    const outcome = await catchUp(room.join, timeline);
    assert.equal(outcome.added, 0);
    assert.deepEqual(room.calls, [undefined, 10]);
  });

  it('fills a hole behind a live message from the last contiguous seq', async () => {
    const room = fakeRoom(20);
    const timeline = new Timeline(ROOM);
    await catchUp(room.join, timeline);
    room.add(5);
    const live = (await room.join(ROOM, 24)).messages; // only seq 25 arrived live
    timeline.merge(live);
    assert.equal(timeline.hasGap(), true);
    await catchUp(room.join, timeline);
    assert.deepEqual(seqs(timeline), range(1, 25));
  });

  it(`shows the newest page instead of replaying more than ${MAX_REPLAY} missed messages`, async () => {
    const room = fakeRoom(10);
    const timeline = new Timeline(ROOM);
    await catchUp(room.join, timeline);
    room.add(MAX_REPLAY + 100);
    await catchUp(room.join, timeline);
    const held = seqs(timeline);
    assert.equal(held[held.length - 1], MAX_REPLAY + 110);
    assert.equal(held.length, 50);
    assert.equal(timeline.hasOlder, true, 'the rest is reached by scrolling up');
  });

  it('replays the whole history from seq 1 when asked to, however long', async () => {
    const room = fakeRoom(MAX_REPLAY + 30);
    const timeline = new Timeline(ROOM);
    await fillFrom(room.join, timeline, { maxReplay: Infinity, maxRounds: 50 });
    assert.deepEqual(seqs(timeline), range(1, MAX_REPLAY + 30));
    assert.equal(room.calls[0], 0, 'from the start');
    assert.equal(timeline.loaded, true);
  });
});
