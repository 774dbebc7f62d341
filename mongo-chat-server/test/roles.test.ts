/**
 * Group roles at the data service, where they are enforced: who may rename,
 * add, remove, promote, demote, transfer and delete; succession when the owner
 * leaves; deletion with the last member; the start-up migration of groups
 * stored before roles; concurrent ownership changes.
 */
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import type { Group } from '@chat/shared';
import { startDataService } from '../src/service';
import {
  assertMatchesSpec, createGroup, createUser, postMessage, startHarness, testConfig,
} from './helpers';
import type { Harness } from './helpers';

const roles = (g: Group) => ({ owner: g.owner, admins: g.admins, users: g.users });

describe('data service: group roles', function () {
  let h: Harness;
  before(async () => {
    h = await startHarness('roles');
    for (const up of ['3001', '3002', '3003', '3004', '3005']) await createUser(h.api, up);
  });
  after(async () => { await h?.close(); });

  const setRole = (group: string, up: string, role: string, by?: string) => (
    h.api.put(`/group/${group}/members/${up}/role${by ? `?by=${by}` : ''}`, { role }));
  const transfer = (group: string, up: string, by?: string) => h.api.post(`/group/${group}/owner${by ? `?by=${by}` : ''}`, { up });
  const remove = (group: string, up: string, by: string) => h.api.delete(`/group/${group}/members/${up}?by=${by}`);

  it('makes the creator the owner, and everyone else a member', async () => {
    const g = await createGroup(h.api, 'team', ['3002', '3003'], '3001');
    assert.deepEqual(roles(g), { owner: '3001', admins: [], users: ['3001', '3002', '3003'] });
    assert.deepEqual(roles((await h.api.get(`/group/${g.id}`)).body as Group), roles(g));
  });

  it('lets the owner and admins promote and demote, members not, and never touches the owner', async () => {
    const g = await createGroup(h.api, 'team', ['3002', '3003', '3004'], '3001');
    const promoted = await setRole(g.id, '3002', 'admin', '3001');
    assertMatchesSpec('put', '/group/{id}/members/{up}/role', promoted);
    assert.equal(promoted.status, 200);
    assert.deepEqual((promoted.body as Group).admins, ['3002']);

    // An admin promotes another member, then demotes a fellow admin.
    assert.deepEqual(((await setRole(g.id, '3003', 'admin', '3002')).body as Group).admins, ['3002', '3003']);
    assert.deepEqual(((await setRole(g.id, '3003', 'member', '3002')).body as Group).admins, ['3002']);

    const byMember = await setRole(g.id, '3004', 'admin', '3003');
    assertMatchesSpec('put', '/group/{id}/members/{up}/role', byMember);
    assert.equal(byMember.status, 403);
    assert.match(byMember.body.error.message, /owner and admins/);
    const byOutsider = await setRole(g.id, '3004', 'admin', '3005');
    assert.equal(byOutsider.status, 403);

    const ownerTouched = await setRole(g.id, '3001', 'member', '3002');
    assertMatchesSpec('put', '/group/{id}/members/{up}/role', ownerTouched);
    assert.equal(ownerTouched.status, 409);
    const notMember = await setRole(g.id, '3005', 'admin', '3001');
    assert.equal(notMember.status, 404);
    const toOwner = await setRole(g.id, '3004', 'owner', '3001');
    assertMatchesSpec('put', '/group/{id}/members/{up}/role', toOwner);
    assert.equal(toOwner.status, 400);

    const now = (await h.api.get(`/group/${g.id}`)).body as Group;
    assert.deepEqual(roles(now), { owner: '3001', admins: ['3002'], users: ['3001', '3002', '3003', '3004'] });
  });

  it('lets owners and admins rename, add and remove; members only leave; nobody removes the owner', async () => {
    const g = await createGroup(h.api, 'team', ['3002', '3003'], '3001');
    await setRole(g.id, '3002', 'admin', '3001');

    assert.equal((await h.api.patch(`/group/${g.id}?by=3003`, { name: 'mine' })).status, 403);
    const renamed = await h.api.patch(`/group/${g.id}?by=3002`, { name: 'by the admin' });
    assertMatchesSpec('patch', '/group/{id}', renamed);
    assert.equal(renamed.body.name, 'by the admin');

    const addByMember = await h.api.post(`/group/${g.id}/members?by=3003`, { users: ['3004'] });
    assertMatchesSpec('post', '/group/{id}/members', addByMember);
    assert.equal(addByMember.status, 403);
    const added = await h.api.post(`/group/${g.id}/members?by=3002`, { users: ['3004'] });
    assert.deepEqual(roles(added.body as Group), { owner: '3001', admins: ['3002'], users: ['3001', '3002', '3003', '3004'] });

    assert.equal((await remove(g.id, '3004', '3003')).status, 403);
    const ownerOut = await remove(g.id, '3001', '3002');
    assertMatchesSpec('delete', '/group/{id}/members/{up}', ownerOut);
    assert.equal(ownerOut.status, 403);
    assert.match(ownerOut.body.error.message, /owner/);
    assert.deepEqual(((await remove(g.id, '3004', '3002')).body as Group).users, ['3001', '3002', '3003']);
    // A member leaves (removes themselves).
    assert.deepEqual(((await remove(g.id, '3003', '3003')).body as Group).users, ['3001', '3002']);

    const deleteByAdmin = await h.api.delete(`/group/${g.id}?by=3002`);
    assertMatchesSpec('delete', '/group/{id}', deleteByAdmin);
    assert.equal(deleteByAdmin.status, 403);
    assert.match(deleteByAdmin.body.error.message, /only the owner/);
    assert.equal((await h.api.delete(`/group/${g.id}?by=3001`)).status, 204);
    assert.equal((await h.api.get(`/group/${g.id}`)).status, 404);
  });

  it('transfers ownership by the owner only; the former owner becomes an admin', async () => {
    const g = await createGroup(h.api, 'team', ['3002', '3003'], '3001');
    await setRole(g.id, '3002', 'admin', '3001');
    const byAdmin = await transfer(g.id, '3002', '3002');
    assertMatchesSpec('post', '/group/{id}/owner', byAdmin);
    assert.equal(byAdmin.status, 403);
    assert.equal((await transfer(g.id, '3005', '3001')).status, 404);

    const moved = await transfer(g.id, '3003', '3001');
    assertMatchesSpec('post', '/group/{id}/owner', moved);
    assert.equal(moved.status, 200);
    assert.deepEqual(roles(moved.body as Group), { owner: '3003', admins: ['3001', '3002'], users: ['3001', '3002', '3003'] });
    // The former owner is an admin now: no longer allowed to delete or transfer.
    assert.equal((await h.api.delete(`/group/${g.id}?by=3001`)).status, 403);
    assert.equal((await transfer(g.id, '3001', '3001')).status, 403);
    const again = await transfer(g.id, '3003', '3003');
    assert.equal(again.status, 200);
    assert.equal((again.body as Group).owner, '3003');
  });

  it('passes ownership to the longest-standing admin when the owner leaves, else the longest-standing member', async () => {
    const g = await createGroup(h.api, 'team', ['3002'], '3001');
    await h.api.post(`/group/${g.id}/members?by=3001`, { users: ['3003'] });
    await h.api.post(`/group/${g.id}/members?by=3001`, { users: ['3004'] });
    await setRole(g.id, '3004', 'admin', '3001');
    await setRole(g.id, '3003', 'admin', '3001');

    // 3003 joined before 3004: the longest-standing admin, though 3002 is an older member.
    const left = await remove(g.id, '3001', '3001');
    assert.equal(left.status, 200);
    assert.deepEqual(roles(left.body as Group), { owner: '3003', admins: ['3004'], users: ['3002', '3003', '3004'] });
    // The new owner acts as one; the older plain member does not.
    assert.equal((await transfer(g.id, '3003', '3003')).status, 200);
    assert.equal((await transfer(g.id, '3002', '3002')).status, 403);

    const next = await remove(g.id, '3003', '3003');
    assert.deepEqual(roles(next.body as Group), { owner: '3004', admins: [], users: ['3002', '3004'] });
    await setRole(g.id, '3002', 'member', '3004');
    const last = await remove(g.id, '3004', '3004');
    assert.deepEqual(roles(last.body as Group), { owner: '3002', admins: [], users: ['3002'] });
    const stored = (await h.api.get(`/group/${g.id}`)).body as Group;
    assert.deepEqual(roles(stored), roles(last.body as Group));
  });

  it('deletes a group, messages included, when its last member leaves', async () => {
    const g = await createGroup(h.api, 'alone', [], '3005');
    await postMessage(h.api, g.id, '3005', 'anyone?');
    const before = await h.counts();
    const res = await remove(g.id, '3005', '3005');
    assertMatchesSpec('delete', '/group/{id}/members/{up}', res);
    assert.equal(res.status, 200);
    assert.deepEqual(roles(res.body as Group), { owner: null, admins: [], users: [] });
    assert.equal((await h.api.get(`/group/${g.id}`)).status, 404);
    const after = await h.counts();
    assert.deepEqual(after, {
      ...before, groups: before.groups - 1, memberships: before.memberships - 1, messages: before.messages - 1,
    });
  });

  it('keeps exactly one owner when the owner transfers and leaves at the same time', async () => {
    const g = await createGroup(h.api, 'race', ['3002', '3003', '3004'], '3001');
    await setRole(g.id, '3002', 'admin', '3001');
    const answers = await Promise.all([
      transfer(g.id, '3004', '3001'), remove(g.id, '3001', '3001'), transfer(g.id, '3003', '3001'),
    ]);
    answers.forEach((a) => assert.ok([200, 403].includes(a.status), JSON.stringify(a.body)));
    const stored = (await h.api.get(`/group/${g.id}`)).body as Group;
    assert.ok(!stored.users.includes('3001'));
    assert.ok(stored.owner !== null && stored.users.includes(stored.owner));
    const marked = await h.db.collection('memberships').find({ group: new Types.ObjectId(g.id), role: 'owner' }).toArray();
    assert.deepEqual(marked.map((m) => m.up), [stored.owner]);
  });

  it('gives groups stored before roles an owner on start, once, and leaves everything else as it was', async () => {
    const groups = h.db.collection('groups');
    const memberships = h.db.collection<{ _id: string; up: string; role?: string }>('memberships');
    const old = (name: string, createdBy: string | null) => ({
      _id: new Types.ObjectId(), name, createdBy, lastSeq: 0, createdAt: new Date(), updatedAt: new Date(),
    });
    const member = (group: Types.ObjectId, up: string, minute: number) => ({
      _id: `${group}:${up}`, group, up, lastReadSeq: 0, joinedAt: new Date(Date.UTC(2025, 0, 1, 0, minute)),
    });
    const withCreator = old('creator stayed', '3001');
    const creatorLeft = old('creator left', '3001');
    const empty = old('empty', '3001');
    await groups.insertMany([withCreator, creatorLeft, empty]);
    await memberships.insertMany([
      member(withCreator._id, '3002', 0), member(withCreator._id, '3001', 1),
      member(creatorLeft._id, '3003', 5), member(creatorLeft._id, '3004', 2),
    ]);

    const restarted = await startDataService(testConfig(h.mongoUrl, h.logDir));
    try {
      const get = async (id: Types.ObjectId) => roles((await h.api.get(`/group/${id}`)).body as Group);
      assert.deepEqual(await get(withCreator._id), { owner: '3001', admins: [], users: ['3001', '3002'] });
      assert.deepEqual(await get(creatorLeft._id), { owner: '3004', admins: [], users: ['3003', '3004'] });
      assert.equal((await groups.findOne({ _id: empty._id }))?.owner, null);
      const roleless = await memberships.countDocuments({ role: { $exists: false } });
      assert.equal(roleless, 0);
      assert.equal((await memberships.findOne({ _id: `${creatorLeft._id}:3004` }))?.role, 'owner');
      // The migrated owner acts as one.
      assert.equal((await h.api.patch(`/group/${creatorLeft._id}?by=3003`, { name: 'x' })).status, 403);
      assert.equal((await h.api.patch(`/group/${creatorLeft._id}?by=3004`, { name: 'x' })).status, 200);
    } finally {
      await restarted.close();
    }
    // A second start finds nothing to do and changes nothing.
    const snapshot = await memberships.find({}).sort({ _id: 1 }).toArray();
    const again = await startDataService(testConfig(h.mongoUrl, h.logDir));
    await again.close();
    assert.deepEqual(await memberships.find({}).sort({ _id: 1 }).toArray(), snapshot);
  });
});
