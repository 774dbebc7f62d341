import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import type { Group } from '@chat/shared';
import {
  assertMatchesSpec, createGroup, createUser, postMessage, startHarness, ZERO_ID,
} from './helpers';
import type { Harness } from './helpers';

describe('data service: groups', function () {
  let h: Harness;
  before(async () => {
    h = await startHarness('groups');
    for (const up of ['1001', '1002', '1003', '1004']) await createUser(h.api, up);
  });
  after(async () => { await h?.close(); });

  describe('POST /group', () => {
    it('creates a group whose members are the users plus the creator', async () => {
      const res = await h.api.post('/group', { name: 'Study group', users: ['1002', '1003', '1002'], createdBy: '1001' });
      assertMatchesSpec('post', '/group', res);
      assert.equal(res.status, 201);
      assert.equal(res.body.name, 'Study group');
      assert.deepEqual(res.body.users, ['1001', '1002', '1003']);
      assert.equal(res.body.createdBy, '1001');
      assert.equal(res.body.lastSeq, 0);
      const again = await h.api.get(`/group/${res.body.id}`);
      assert.deepEqual(again.body, res.body);
    });

    it('refuses unknown members (naming them), no members and bad names, storing nothing', async () => {
      const before = await h.counts();
      const unknown = await h.api.post('/group', { name: 'x', users: ['1001', '7777', '8888'] });
      assertMatchesSpec('post', '/group', unknown);
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error.message, /7777, 8888/);
      assert.equal((await h.api.post('/group', { name: 'x', users: [] })).status, 400);
      assert.equal((await h.api.post('/group', { name: '', users: ['1001'] })).status, 400);
      assert.equal((await h.api.post('/group', { name: 'x'.repeat(101), users: ['1001'] })).status, 400);
      assert.equal((await h.api.post('/group', { name: 'x', users: '1001' })).status, 400);
      assert.equal((await h.api.post('/group', { name: 'x', users: ['1001'], createdBy: '7777' })).status, 400);
      assert.deepEqual(await h.counts(), before);
    });
  });

  describe('reading groups', () => {
    it('lists groups page by page', async () => {
      await createGroup(h.api, 'second', ['1001']);
      const res = await h.api.get('/group?page=0&perPage=1');
      assertMatchesSpec('get', '/group', res);
      assert.equal(res.body.total, 2);
      assert.equal(res.body.items.length, 1);
      assert.equal(res.body.items[0].name, 'Study group');
      const next = await h.api.get('/group?page=1&perPage=1');
      assert.equal(next.body.items[0].name, 'second');
      const bad = await h.api.get('/group?perPage=500');
      assertMatchesSpec('get', '/group', bad);
      assert.equal(bad.status, 400);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      const missing = await h.api.get(`/group/${ZERO_ID}`);
      assertMatchesSpec('get', '/group/{id}', missing);
      assert.equal(missing.status, 404);
      const bad = await h.api.get('/group/not-an-id');
      assertMatchesSpec('get', '/group/{id}', bad);
      assert.equal(bad.status, 400);
    });
  });

  describe('changing groups', () => {
    let group: Group;
    beforeEach(async () => { group = await createGroup(h.api, 'team', ['1001', '1002'], '1001'); });

    it('renames', async () => {
      const res = await h.api.patch(`/group/${group.id}`, { name: 'renamed' });
      assertMatchesSpec('patch', '/group/{id}', res);
      assert.equal(res.body.name, 'renamed');
      assert.ok(res.body.updatedAt >= group.updatedAt);
      assert.equal((await h.api.get(`/group/${group.id}`)).body.name, 'renamed');
      const bad = await h.api.patch(`/group/${group.id}`, { name: '' });
      assertMatchesSpec('patch', '/group/{id}', bad);
      assert.equal(bad.status, 400);
      const missing = await h.api.patch(`/group/${ZERO_ID}`, { name: 'x' });
      assertMatchesSpec('patch', '/group/{id}', missing);
      assert.equal(missing.status, 404);
    });

    it('adds members; existing members are fine, unknown users are not', async () => {
      const res = await h.api.post(`/group/${group.id}/members`, { users: ['1002', '1003', '1004'] });
      assertMatchesSpec('post', '/group/{id}/members', res);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.users, ['1001', '1002', '1003', '1004']);
      const unknown = await h.api.post(`/group/${group.id}/members`, { users: ['1003', '9999'] });
      assertMatchesSpec('post', '/group/{id}/members', unknown);
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error.message, /9999/);
      const missing = await h.api.post(`/group/${ZERO_ID}/members`, { users: ['1003'] });
      assert.equal(missing.status, 404);
      assert.equal((await h.api.post(`/group/${group.id}/members`, { users: [] })).status, 400);
      assert.deepEqual((await h.api.get(`/group/${group.id}`)).body.users, ['1001', '1002', '1003', '1004']);
    });

    it('removes a member, 404 when not a member', async () => {
      const res = await h.api.delete(`/group/${group.id}/members/1002`);
      assertMatchesSpec('delete', '/group/{id}/members/{up}', res);
      assert.deepEqual(res.body.users, ['1001']);
      const again = await h.api.delete(`/group/${group.id}/members/1002`);
      assertMatchesSpec('delete', '/group/{id}/members/{up}', again);
      assert.equal(again.status, 404);
      const member = await h.api.get(`/group/${group.id}/members/1002`);
      assert.equal(member.status, 404);
    });

    it('answers the membership check with the read position', async () => {
      const res = await h.api.get(`/group/${group.id}/members/1002`);
      assertMatchesSpec('get', '/group/{id}/members/{up}', res);
      assert.deepEqual(res.body, { group: group.id, up: '1002', lastReadSeq: 0 });
      const not = await h.api.get(`/group/${group.id}/members/1004`);
      assertMatchesSpec('get', '/group/{id}/members/{up}', not);
      assert.equal(not.status, 404);
      const bad = await h.api.get(`/group/${group.id}/members/x.y`);
      assert.equal(bad.status, 400);
    });

    it('deletes a group with its memberships and messages', async () => {
      await postMessage(h.api, group.id, '1001', 'hello');
      const before = await h.counts();
      const res = await h.api.delete(`/group/${group.id}`);
      assertMatchesSpec('delete', '/group/{id}', res);
      assert.equal(res.status, 204);
      const after = await h.counts();
      assert.equal(after.groups, before.groups - 1);
      assert.equal(after.memberships, before.memberships - 2);
      assert.equal(after.messages, before.messages - 1);
      assert.equal((await h.api.get(`/group/${group.id}`)).status, 404);
      const again = await h.api.delete(`/group/${group.id}`);
      assertMatchesSpec('delete', '/group/{id}', again);
      assert.equal(again.status, 404);
      const send = await h.api.post('/message', { group: group.id, from: '1001', message: 'late' });
      assert.equal(send.status, 404);
    });
  });

  describe('groups of a user and read positions', () => {
    let group: Group;
    before(async () => {
      group = await createGroup(h.api, 'reading', ['1003', '1004']);
      for (let i = 1; i <= 3; i += 1) await postMessage(h.api, group.id, '1003', `message ${i}`);
    });

    it('lists a user\'s groups with lastReadSeq and unread', async () => {
      const res = await h.api.get('/group/user/1004?perPage=100');
      assertMatchesSpec('get', '/group/user/{up}', res);
      const mine = res.body.items.find((g: { id: string }) => g.id === group.id);
      assert.ok(mine);
      assert.equal(mine.lastSeq, 3);
      assert.equal(mine.lastReadSeq, 0);
      assert.equal(mine.unread, 3);
      assert.equal(res.body.total, res.body.items.length);
      const ids = res.body.items.map((g: { id: string }) => g.id);
      assert.deepEqual(ids, [...ids].sort());
      const paged = await h.api.get('/group/user/1004?page=0&perPage=1');
      assert.equal(paged.body.items.length, 1);
      assert.equal(paged.body.total, res.body.total);
      const unknown = await h.api.get('/group/user/5555');
      assertMatchesSpec('get', '/group/user/{up}', unknown);
      assert.equal(unknown.status, 404);
      const bad = await h.api.get('/group/user/1004?page=x');
      assertMatchesSpec('get', '/group/user/{up}', bad);
      assert.equal(bad.status, 400);
    });

    it('answers the group ids of many users in one call, agreeing with each user\'s own list', async () => {
      const res = await h.api.get('/group/ids?ups=1004,1003,5555,1004');
      assertMatchesSpec('get', '/group/ids', res);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.items.map((i: { up: string }) => i.up), ['1004', '1003', '5555'], 'each user once, as asked');
      for (const { up, groups } of res.body.items as { up: string; groups: string[] }[]) {
        const own = up === '5555' ? [] : (await h.api.get(`/group/user/${up}?perPage=100`)).body.items.map((g: Group) => g.id);
        assert.deepEqual(groups, own, `the groups of ${up}`);
      }
      assert.ok((res.body.items[0].groups as string[]).includes(group.id));
      const tooMany = Array.from({ length: 101 }, (_, i) => String(9000 + i)).join(',');
      for (const query of ['', '?ups=', `?ups=${tooMany}`, '?ups=1004&ups=1003', '?ups=10%2404', '?ups=1004&extra=1']) {
        const bad = await h.api.get(`/group/ids${query}`);
        assertMatchesSpec('get', '/group/ids', bad);
        assert.equal(bad.status, 400, query);
      }
    });

    it('moves the read position forward only, never beyond the newest message', async () => {
      const res = await h.api.put(`/group/${group.id}/read/1004`, { seq: 2 });
      assertMatchesSpec('put', '/group/{id}/read/{up}', res);
      assert.deepEqual(res.body, { group: group.id, up: '1004', lastReadSeq: 2 });
      const back = await h.api.put(`/group/${group.id}/read/1004`, { seq: 1 });
      assert.equal(back.body.lastReadSeq, 2);
      const beyond = await h.api.put(`/group/${group.id}/read/1004`, { seq: 4 });
      assertMatchesSpec('put', '/group/{id}/read/{up}', beyond);
      assert.equal(beyond.status, 400);
      const notMember = await h.api.put(`/group/${group.id}/read/1001`, { seq: 1 });
      assertMatchesSpec('put', '/group/{id}/read/{up}', notMember);
      assert.equal(notMember.status, 404);
      assert.equal((await h.api.put(`/group/${group.id}/read/1004`, { seq: -1 })).status, 400);
      assert.equal((await h.api.put(`/group/${group.id}/read/1004`, { seq: '3' })).status, 400);
      // A message another process stored a moment ago, before its hint was saved, can be marked read.
      await h.db.collection('messages').insertOne({
        group: new Types.ObjectId(group.id), seq: 4, from: '1003', message: 'elsewhere', clientId: 'elsewhere', timestamp: new Date(),
      });
      const fresh = await h.api.put(`/group/${group.id}/read/1003`, { seq: 4 });
      assert.equal(fresh.status, 200);
      assert.equal(fresh.body.lastReadSeq, 4);
      const listed = await h.api.get('/group/user/1004?perPage=100');
      const mine = listed.body.items.find((g: { id: string }) => g.id === group.id);
      assert.equal(mine.lastReadSeq, 2);
      assert.equal(mine.unread, 1);
      assert.equal((await h.api.get(`/group/${group.id}/members/1004`)).body.lastReadSeq, 2);
    });
  });
});
