/**
 * Group roles through two chat servers on one Redis: role changes reach every
 * member on every server live and through catch-up (GET /chat/groups), role
 * rules hold whichever server a request reaches, and an admin demoted or
 * removed through one server has lost their rights on the other at once.
 */
import assert from 'node:assert/strict';
import type { Group, GroupSummary, MemberRolePayload } from '@chat/shared';
import {
  Cluster, clientId, collect, eventually, next, request, startDataTier,
} from './support/cluster';
import type { DataTier, TestUser } from './support/cluster';

describe('chat server: group roles across two servers', function () {
  this.timeout(30000);
  let tier: DataTier;
  let cluster: Cluster;

  before(async () => { tier = await startDataTier('roles'); });
  after(async () => { await tier?.close(); });
  beforeEach(async () => {
    cluster = new Cluster(tier);
    await cluster.addServer();
    await cluster.addServer();
  });
  afterEach(async () => { await cluster.close(); });

  const rest = (method: string, path: string, user: TestUser, server: number, body?: unknown) => (
    cluster.rest(method, path, { user, server, body }));
  const setRole = (group: string, up: string, role: string, by: TestUser, server: number) => (
    rest('PUT', `/chat/${group}/members/${up}/role`, by, server, { role }));
  const summary = async (user: TestUser, group: string, server = 0): Promise<GroupSummary | undefined> => {
    const res = await rest('GET', '/chat/groups', user, server);
    return (res.body as { items: GroupSummary[] }).items.find((g) => g.id === group);
  };

  it('tells every member on both servers of a promotion, and an admin demoted on one server is refused on the other at once', async () => {
    const [owner, bob, carol] = await cluster.users(3) as [TestUser, TestUser, TestUser];
    const group = await cluster.group(owner, [bob, carol], 'roles');
    const b = await cluster.connect(bob, 1);
    const c = await cluster.connect(carol, 0);
    const bobRoles = collect(b, 'member role');
    const carolRoles = collect(c, 'member role');

    const updated = next(c, 'group updated', (g) => g.admins.includes(bob.up));
    const promoted = await setRole(group, bob.up, 'admin', owner, 0);
    assert.equal(promoted.status, 200);
    assert.deepEqual((await updated).admins, [bob.up]);
    const expected: MemberRolePayload = { room: group, up: bob.up, role: 'admin' };
    await eventually(() => bobRoles.length === 1 && carolRoles.length === 1, 'the promotion on both servers');
    assert.deepEqual(bobRoles, [expected]);
    assert.deepEqual(carolRoles, [expected]);

    // The new admin acts through the other server.
    assert.equal((await rest('PATCH', `/chat/groups/${group}`, bob, 1, { name: 'renamed by bob' })).status, 200);
    assert.equal((await setRole(group, carol.up, 'admin', bob, 1)).status, 200);
    assert.equal((await setRole(group, carol.up, 'member', bob, 1)).status, 200);

    // Demoted through server 0: refused on server 1 the moment the demotion is answered.
    assert.equal((await setRole(group, bob.up, 'member', owner, 0)).status, 200);
    const rename = await rest('PATCH', `/chat/groups/${group}`, bob, 1, { name: 'still mine?' });
    assert.equal(rename.status, 403);
    assert.match((rename.body as { error: { message: string } }).error.message, /owner and admins/);
    assert.equal((await rest('POST', `/chat/groups/${group}/members`, bob, 1, { users: [owner.up] })).status, 403);
    assert.equal((await rest('DELETE', `/chat/groups/${group}/members/${carol.up}`, bob, 1)).status, 403);
    assert.equal((await setRole(group, carol.up, 'admin', bob, 1)).status, 403);
    await eventually(() => bobRoles.length === 4, 'the demotion on server 1');
    assert.deepEqual(bobRoles[3], { room: group, up: bob.up, role: 'member' });

    // Catch-up: a client that missed all of this reads the roles with its groups.
    const seen = await summary(carol, group, 1);
    assert.deepEqual({ owner: seen?.owner, admins: seen?.admins, name: seen?.name }, {
      owner: owner.up, admins: [], name: 'renamed by bob',
    });
  });

  it('takes every right from an admin removed through one server, on the other at once, sockets included', async () => {
    const [owner, dave, erin] = await cluster.users(3) as [TestUser, TestUser, TestUser];
    const group = await cluster.group(owner, [dave, erin]);
    assert.equal((await setRole(group, dave.up, 'admin', owner, 0)).status, 200);
    const d = await cluster.connect(dave, 1);
    const left = next(d, 'member left');
    assert.equal((await rest('DELETE', `/chat/groups/${group}/members/${dave.up}`, owner, 0)).status, 200);
    assert.deepEqual(await left, { room: group, up: dave.up });

    assert.equal((await rest('PATCH', `/chat/groups/${group}`, dave, 1, { name: 'back door' })).status, 403);
    assert.equal((await rest('POST', `/chat/groups/${group}/members`, dave, 1, { users: [dave.up] })).status, 403);
    assert.equal((await rest('DELETE', `/chat/groups/${group}/members/${erin.up}`, dave, 1)).status, 403);
    const send = await request(d, 'chat message', {
      message: 'still here?', up: dave.up, room: group, clientId: clientId(),
    });
    assert.equal(!send.ok && send.error.code, 'FORBIDDEN');
  });

  it('hands ownership over by transfer, and to the longest-standing admin when the owner leaves', async () => {
    const [owner, fay, gus, hal] = await cluster.users(4) as [TestUser, TestUser, TestUser, TestUser];
    const group = await cluster.group(owner, [gus, hal]);
    assert.equal((await rest('POST', `/chat/groups/${group}/members`, owner, 0, { users: [fay.up] })).status, 200);
    const g = await cluster.connect(gus, 1);
    const gusRoles = collect(g, 'member role');

    // Admins do not transfer; the owner does, and becomes an admin.
    assert.equal((await setRole(group, fay.up, 'admin', owner, 0)).status, 200);
    assert.equal((await rest('POST', `/chat/${group}/owner`, fay, 1, { up: fay.up })).status, 403);
    const moved = await rest('POST', `/chat/${group}/owner`, owner, 0, { up: hal.up });
    assert.equal(moved.status, 200);
    assert.deepEqual({ owner: (moved.body as Group).owner, admins: (moved.body as Group).admins }, {
      owner: hal.up, admins: [owner.up, fay.up].sort(),
    });
    await eventually(() => gusRoles.length === 3, 'the transfer on server 1');
    assert.deepEqual(gusRoles.slice(1), [
      { room: group, up: hal.up, role: 'owner' }, { room: group, up: owner.up, role: 'admin' },
    ]);
    assert.equal((await rest('DELETE', `/chat/groups/${group}`, owner, 0)).status, 403);

    // The owner leaves: of the two admins, the former owner has been a member longest (fay joined later),
    // and an admin goes before gus, a plain member who joined before fay.
    const becameOwner = next(g, 'member role', (p) => p.role === 'owner' && p.up === owner.up);
    const leave = await rest('DELETE', `/chat/groups/${group}/members/${hal.up}`, hal, 1);
    assert.equal(leave.status, 200);
    assert.equal((leave.body as Group).owner, owner.up);
    await becameOwner;
    const caughtUp = await summary(gus, group);
    assert.deepEqual({ owner: caughtUp?.owner, admins: caughtUp?.admins }, { owner: owner.up, admins: [fay.up] });
    assert.equal((await rest('DELETE', `/chat/groups/${group}`, fay, 1)).status, 403);
    assert.equal((await rest('DELETE', `/chat/groups/${group}`, owner, 1)).status, 204);
  });

  it('deletes a group when its last member leaves, and tells them', async () => {
    const [solo, other] = await cluster.users(2) as [TestUser, TestUser];
    const group = await cluster.group(solo, [other]);
    assert.equal((await rest('DELETE', `/chat/groups/${group}/members/${other.up}`, other, 0)).status, 200);
    const s = await cluster.connect(solo, 1);
    const deleted = next(s, 'group deleted');
    const leave = await rest('DELETE', `/chat/groups/${group}/members/${solo.up}`, solo, 0);
    assert.equal(leave.status, 200);
    assert.deepEqual((leave.body as Group).users, []);
    assert.deepEqual(await deleted, { room: group });
    assert.equal(await summary(solo, group), undefined);
    const gone = await rest('GET', `/chat/${group}/message`, solo, 1);
    assert.equal(gone.status, 403);
  });
});
