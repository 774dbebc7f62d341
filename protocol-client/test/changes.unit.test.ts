/**
 * A group's messages as they change: each message in its state with the highest
 * `rev` whatever the order changes arrive in, new seqs in order and once, the
 * revision a resume starts from, and every group resumed in one request.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ChatMessagePayload } from '@chat/contract';
import { resumeAll } from '../src/resume';
import type { Resume } from '../src/resume';
import { GroupTimeline as Timeline, mergeBySeq } from '../src/timeline';
import { messageAt, ROOM } from './fixtures';

const msg = (seq: number, extra: Partial<ChatMessagePayload> = {}) => messageAt(seq, { rev: seq, ...extra });

describe('protocol client: timeline changes (rev)', () => {
  it('keeps each message in the state with the highest rev, whatever the order of arrival (property)', () => {
    // Five messages, each changed up to four times: every state carries its own rev.
    const state = fc.record({ seq: fc.integer({ min: 1, max: 5 }), rev: fc.integer({ min: 1, max: 40 }) });
    const states = fc.array(state, { maxLength: 40 });
    fc.assert(fc.property(states, fc.integer({ min: 1, max: 6 }), (changes, batchSize) => {
      // Unique revs, as a group's revisions are.
      const seen = new Set<number>();
      const unique = changes.filter(({ rev }) => !seen.has(rev) && seen.add(rev));
      const timeline = new Timeline(ROOM);
      for (let i = 0; i < unique.length; i += batchSize) {
        timeline.merge(unique.slice(i, i + batchSize).map(({ seq, rev }) => msg(seq, { rev, message: `v${rev}` })));
      }
      const expected = new Map<number, number>();
      unique.forEach(({ seq, rev }) => expected.set(seq, Math.max(expected.get(seq) ?? 0, rev)));
      assert.deepEqual(timeline.messages.map((m) => m.seq), [...expected.keys()].sort((a, b) => a - b));
      timeline.messages.forEach((m) => assert.equal(m.message, `v${expected.get(m.seq)}`));
      assert.equal(timeline.rev, Math.max(0, ...unique.map((c) => c.rev)));
    }));
  });

  it('reports what was added and what was replaced, and ignores an older or equal state', () => {
    const held = [msg(1, { rev: 5 }), msg(2, { rev: 6 })];
    const { merged, added, updated } = mergeBySeq(held, [
      msg(1, { rev: 4, message: 'older' }),
      msg(2, { rev: 6, message: 'same rev' }),
      msg(1, { rev: 9, message: 'edited', editedAt: '2025-01-01T00:00:00.000Z' }),
      msg(3, { rev: 7 }),
    ]);
    assert.deepEqual(merged.map((m) => [m.seq, m.message]), [[1, 'edited'], [2, 'message 2'], [3, 'message 3']]);
    assert.deepEqual(added.map((m) => m.seq), [3]);
    assert.deepEqual(updated.map((m) => m.seq), [1]);
  });

  it('lets a state with a rev replace one without (an own ack), never the other way', () => {
    const timeline = new Timeline(ROOM);
    timeline.addPending({
      clientId: 'c-1', up: '1001', message: 'hi @1002', timestamp: new Date().toISOString(),
    });
    timeline.acknowledge('c-1', { id: 'id-1', seq: 1, timestamp: '2025-01-01T00:00:00.000Z' });
    assert.equal(timeline.messages[0]?.rev, undefined);
    timeline.merge([msg(1, { clientId: 'c-1', message: 'hi @1002', mentions: ['1002'] })]);
    assert.deepEqual(timeline.messages[0]?.mentions, ['1002']);
    timeline.acknowledge('c-1', { id: 'id-1', seq: 1, timestamp: '2025-01-01T00:00:00.000Z' });
    assert.deepEqual(timeline.messages[0]?.mentions, ['1002']);
  });

  it('applies changes to held messages and inserts newer seqs, leaving older unheld ones to scrolling back', () => {
    const timeline = new Timeline(ROOM);
    timeline.merge([msg(10), msg(11), msg(12)]);
    const { added, updated } = timeline.applyChanges([
      msg(3, { rev: 20, message: 'edited long ago' }),
      msg(11, { rev: 21, message: 'edited' }),
      msg(13, { rev: 22 }),
      msg(13, { rev: 23, reactions: [{ emoji: '🎉', count: 2, ups: ['1001', '1002'] }] }),
    ]);
    assert.deepEqual(timeline.messages.map((m) => m.seq), [10, 11, 12, 13]);
    assert.deepEqual(added.map((m) => m.rev), [23], 'the new message once, in its latest state');
    assert.deepEqual(updated.map((m) => m.seq), [11]);
    assert.equal(timeline.find('id-11')?.message, 'edited');
    assert.equal(timeline.rev, 23, 'the rev of every change seen, applied or not');
    assert.equal(timeline.hasGap(), false);
  });

  it('resumes from the highest rev seen or answered, and from the page after a reset', () => {
    const timeline = new Timeline(ROOM);
    timeline.merge([msg(1, { rev: 4 }), msg(2, { rev: 2 })]);
    assert.equal(timeline.rev, 4);
    timeline.resumed(9);
    assert.equal(timeline.rev, 9);
    timeline.resumed(3);
    assert.equal(timeline.rev, 9);
    timeline.pause();
    timeline.merge([msg(3, { rev: 12 })]);
    assert.equal(timeline.rev, 12);
    assert.equal(timeline.resumeRev, 9, 'a live change on the new connection does not move where the resume starts');
    timeline.resumed(11);
    assert.equal(timeline.resumeRev, 12);
    timeline.resetTo([msg(600, { rev: 700 }), msg(601, { rev: 650 })], true);
    assert.equal(timeline.rev, 700);
  });
});

/**
 * A group as the server keeps it: each change takes the next rev; `resume` answers the
 * current state of each message changed after a rev, once, in rev order.
 */
function fakeGroup(room: string) {
  let rev = 0;
  const current = new Map<number, ChatMessagePayload>();
  const change = (seq: number, extra: Partial<ChatMessagePayload> = {}) => {
    rev += 1;
    const state = msg(seq, {
      room, id: `${room}-${seq}`, rev, message: `${room} #${seq} v${rev}`, ...extra,
    });
    current.set(seq, state);
    return state;
  };
  const changesAfter = (after: number) => [...current.values()].filter((m) => (m.rev ?? 0) > after)
    .sort((a, b) => (a.rev ?? 0) - (b.rev ?? 0));
  return {
    room, change, changesAfter, current, get rev() { return rev; },
  };
}

describe('protocol client: resume after a reconnect', () => {
  it('brings every group up to date in one request, each change once, in its latest state', async () => {
    const a = fakeGroup('ga');
    const b = fakeGroup('gb');
    const refused = new Timeline('gone');
    refused.merge([msg(1, { room: 'gone' })]);
    const timelines = [new Timeline('ga'), new Timeline('gb'), refused];
    for (let seq = 1; seq <= 4; seq += 1) timelines[0]?.merge([a.change(seq)]);
    timelines[1]?.merge([b.change(1)]);
    timelines.forEach((t) => t.pause());

    // Away: edits, a delete, reactions and new messages.
    a.change(2, { editedAt: '2025-01-01T00:00:00.000Z' });
    a.change(2, { editedAt: '2025-01-01T00:01:00.000Z' });
    a.change(3, { deleted: true, message: '' });
    for (let seq = 5; seq <= 9; seq += 1) a.change(seq);
    a.change(1, { reactions: [{ emoji: '👍', count: 1, ups: ['1002'] }] });
    b.change(2);
    // A change that reaches the new connection live before the resume is answered.
    timelines[0]?.applyChanges([a.change(10)]);

    const requests: { room: string; rev: number }[][] = [];
    const delivered = new Map<string, number[]>();
    const resume: Resume = async (groups) => {
      requests.push(groups);
      return {
        groups: groups.map(({ room, rev }) => {
          const group = [a, b].find((g) => g.room === room);
          if (!group) return { room, ok: false as const, error: { code: 'FORBIDDEN', message: 'not a member' } };
          const all = group.changesAfter(rev);
          const items = all.slice(0, 3);
          delivered.set(room, [...(delivered.get(room) ?? []), ...items.map((m) => m.rev ?? 0)]);
          return {
            room, ok: true as const, items, rev: items[items.length - 1]?.rev ?? rev, hasMore: all.length > 3,
          };
        }),
      };
    };
    const outcome = await resumeAll(resume, timelines);

    assert.deepEqual(requests[0], [{ room: 'ga', rev: 4 }, { room: 'gb', rev: 1 }, { room: 'gone', rev: 1 }], 'all groups, one request');
    assert.deepEqual(requests.slice(1).map((r) => r.map((g) => g.room)), [['ga'], ['ga']], 'only the capped group again, until it has all');
    const revs = delivered.get('ga') ?? [];
    assert.deepEqual(revs, [...revs].sort((x, y) => x - y), 'in rev order');
    assert.equal(new Set(revs).size, revs.length, 'each change once');
    assert.deepEqual(outcome.behind, ['gone']);
    const [ta, tb] = timelines as [Timeline, Timeline];
    assert.deepEqual(ta.messages, [...a.current.values()].sort((x, y) => x.seq - y.seq), 'every message in its latest state');
    assert.deepEqual(tb.messages.map((m) => m.rev), [1, 2]);
    assert.equal(ta.messages[2]?.deleted, true);
    assert.equal(ta.rev, a.rev);
    assert.equal(ta.resumeRev, a.rev, 'the next resume starts after everything');
    assert.equal(ta.hasGap(), false);
  });
});
