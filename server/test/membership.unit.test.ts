/**
 * "Is this user a member?": a positive answer is kept for the cache's time and
 * asked again after it; a refusal is FORBIDDEN and never kept; an outage is
 * passed on; a revocation (one user, or a whole group) takes effect at once.
 */
import assert from 'node:assert/strict';
import { AppError } from '@chat/shared';
import type { Up } from '@chat/shared';
import { createMembership } from '../src/groups/membership';

class FakeMemberships {
  asked: string[] = [];

  members = new Set<string>();

  down = false;

  membership = async (room: string, up: Up): Promise<{ up: Up; lastReadSeq: number }> => {
    this.asked.push(`${room}|${up}`);
    if (this.down) throw new AppError('UNAVAILABLE', 'the data service is unreachable; retry later');
    if (!this.members.has(`${room}|${up}`)) throw new AppError('NOT_FOUND', 'no such membership');
    return { up, lastReadSeq: 0 };
  };
}

const isCode = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

describe('chat server: membership cache', () => {
  let data: FakeMemberships;
  beforeEach(() => {
    data = new FakeMemberships();
    data.members = new Set(['g1|1001', 'g1|1002', 'g2|1001']);
  });

  it('asks the data service once per member while the answer is fresh, and again after', async () => {
    const membership = createMembership({ data, ttlMs: 30 });
    await membership.require('g1', '1001');
    await membership.require('g1', '1001');
    assert.equal(data.asked.length, 1);
    await new Promise((resolve) => { setTimeout(resolve, 40); });
    await membership.require('g1', '1001');
    assert.equal(data.asked.length, 2);
  });

  it('refuses a non-member with FORBIDDEN, and does not keep the refusal', async () => {
    const membership = createMembership({ data, ttlMs: 60000 });
    await assert.rejects(membership.require('g1', '1003'), isCode('FORBIDDEN'));
    data.members.add('g1|1003');
    await membership.require('g1', '1003');
  });

  it('passes an outage on, and keeps nothing from it', async () => {
    const membership = createMembership({ data, ttlMs: 60000 });
    data.down = true;
    await assert.rejects(membership.require('g1', '1001'), isCode('UNAVAILABLE'));
    data.down = false;
    await membership.require('g1', '1001');
    assert.equal(data.asked.length, 2);
  });

  it('revokes one membership, or every membership of a group, at once', async () => {
    const membership = createMembership({ data, ttlMs: 60000 });
    await membership.require('g1', '1001');
    await membership.require('g1', '1002');
    await membership.require('g2', '1001');
    data.members.delete('g1|1001');
    membership.revoke('g1', '1001');
    await assert.rejects(membership.require('g1', '1001'), isCode('FORBIDDEN'));
    await membership.require('g1', '1002');
    assert.equal(data.asked.length, 4, 'the other member of g1 is still known');
    data.members.clear();
    membership.revoke('g1', null);
    await assert.rejects(membership.require('g1', '1002'), isCode('FORBIDDEN'));
    await membership.require('g2', '1001');
    assert.equal(data.asked.length, 5, 'a membership of another group is still known');
  });

  it('takes memberships learned elsewhere without asking', async () => {
    const membership = createMembership({ data, ttlMs: 60000 });
    membership.remember('g9', '1001');
    await membership.require('g9', '1001');
    assert.deepEqual(data.asked, []);
  });
});
