import assert from 'node:assert/strict';
import { mayManage, roleAllows, roleIn } from '@chat/shared';
import {
  effectiveRole, initialOwner, KeyedSerializer, rolesView, successor,
} from '../src/groups/roles';
import type { MemberRow } from '../src/groups/roles';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const row = (up: string, role: MemberRow['role'], minute: number): MemberRow => ({ up, role, joinedAt: at(minute) });

describe('data service: role rules', () => {
  describe('succession when the owner leaves', () => {
    it('passes ownership to the longest-standing admin, even when a member joined earlier', () => {
      const rows = [row('o', 'owner', 0), row('m1', 'member', 1), row('a2', 'admin', 5), row('a1', 'admin', 3)];
      assert.equal(successor(rows, 'o', 'o'), 'a1');
    });

    it('passes it to the longest-standing member when there is no admin', () => {
      const rows = [row('o', 'owner', 0), row('m2', 'member', 4), row('m1', 'member', 2)];
      assert.equal(successor(rows, 'o', 'o'), 'm1');
    });

    it('breaks a tie of members added together by the smaller user number', () => {
      const rows = [row('o', 'owner', 0), row('300', 'member', 1), row('200', 'member', 1)];
      assert.equal(successor(rows, 'o', 'o'), '200');
    });

    it('names nobody when the owner was the last member', () => {
      assert.equal(successor([row('o', 'owner', 0)], 'o', 'o'), null);
    });

    it('counts a membership still marked owner that the group does not name as an admin', () => {
      // A transfer from "old" to "new" that stopped between its two writes.
      const rows = [row('new', 'member', 0), row('m', 'member', 1), row('old', 'owner', 2)];
      assert.equal(effectiveRole('new', 'old', 'owner'), 'admin');
      assert.equal(effectiveRole('new', 'new', 'member'), 'owner');
      assert.equal(successor(rows, 'new', 'new'), 'old');
    });
  });

  describe('the migration\'s first owner', () => {
    it('is the creator while still a member, else the longest-standing member, else nobody', () => {
      const rows = [row('b', undefined, 2), row('a', undefined, 1), row('c', undefined, 0)];
      assert.equal(initialOwner('a', rows), 'a');
      assert.equal(initialOwner('gone', rows), 'c');
      assert.equal(initialOwner(null, rows), 'c');
      assert.equal(initialOwner('a', []), null);
    });
  });

  describe('what a group record lists', () => {
    it('lists users and admins sorted, the owner apart, and no owner who is not a member', () => {
      const rows = [row('3', 'admin', 0), row('1', 'owner', 0), row('2', undefined, 0), row('0', 'admin', 0)];
      assert.deepEqual(rolesView('1', rows), { users: ['0', '1', '2', '3'], owner: '1', admins: ['0', '3'] });
      assert.deepEqual(rolesView('9', rows.slice(2)), { users: ['0', '2'], owner: null, admins: ['0'] });
      const group = rolesView('1', rows);
      assert.equal(roleIn(group, '1'), 'owner');
      assert.equal(roleIn(group, '3'), 'admin');
      assert.equal(roleIn(group, '2'), 'member');
      assert.equal(roleIn(group, '7'), undefined);
    });
  });

  describe('what each role may do', () => {
    it('lets the owner do everything, admins manage members and roles, members only leave', () => {
      assert.ok(roleAllows('owner', 'deleteGroup') && roleAllows('owner', 'transferOwnership'));
      assert.ok(roleAllows('admin', 'rename') && roleAllows('admin', 'addMembers') && roleAllows('admin', 'setRoles'));
      assert.ok(!roleAllows('admin', 'deleteGroup') && !roleAllows('admin', 'transferOwnership'));
      assert.ok(roleAllows('member', 'leave') && !roleAllows('member', 'rename') && !roleAllows('member', 'addMembers'));
      assert.ok(roleAllows('owner', 'deleteAnyMessage') && roleAllows('admin', 'deleteAnyMessage'));
      assert.ok(!roleAllows('member', 'deleteAnyMessage'), 'a member deletes only his own messages');
      assert.ok(mayManage('admin', 'admin') && mayManage('owner', 'admin') && !mayManage('admin', 'owner'));
      assert.ok(!mayManage('member', 'member'));
    });
  });

  describe('one group at a time', () => {
    it('runs the tasks of one key in order, each after the previous one settled, failures included', async () => {
      const serial = new KeyedSerializer();
      const log: string[] = [];
      const step = (name: string, fail = false) => async () => {
        log.push(`${name} start`);
        await new Promise((resolve) => { setImmediate(resolve); });
        log.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };
      const results = await Promise.allSettled([
        serial.run('g', step('a')), serial.run('g', step('b', true)), serial.run('g', step('c')),
      ]);
      assert.deepEqual(log, ['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      await new Promise((resolve) => { setImmediate(resolve); });
      assert.equal(serial.size, 0);
    });

    it('lets different keys run side by side', async () => {
      const serial = new KeyedSerializer();
      let release: () => void = () => {};
      const blocked = serial.run('g1', () => new Promise<void>((resolve) => { release = resolve; }));
      assert.equal(await serial.run('g2', async () => 'other group'), 'other group');
      release();
      await blocked;
    });
  });
});
