/**
 * Group management with its live side: after the data service changes a
 * group, the affected users' sockets enter or leave the room on every chat
 * server (`socketsJoin`/`socketsLeave` through the adapter) and members are told.
 * Every change names the member it is made for, and the data service checks
 * that member's role there, where roles are stored: no chat server holds a
 * copy of a role that could outlive a demotion (docs/design.md, Roles).
 * Notices that must arrive before a socket leaves go to several rooms at once,
 * which the adapter relays on the same channel as the leave, so they stay ahead.
 */
import type {
  AssignableRole, Group, Up, User,
} from '@chat/shared';
import type { ChatContext } from '../context';
import { userRoom } from '../sockets/types';

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

export function createGroupOperations(ctx: ChatContext) {
  const { io, data, membership } = ctx;

  const revoke = (room: string, up: Up | null) => {
    membership.revoke(room, up);
    // Other chat servers exist only with Redis (the in-memory adapter has no server-side emit).
    if (ctx.config.redis) io.serverSideEmit('membership revoked', { room, up });
  };

  /** The room's members hear a role change and then the group with its roles. */
  const tellRoles = (group: Group, changes: { up: Up; role: 'owner' | 'admin' | 'member' }[]) => {
    changes.forEach(({ up, role }) => { io.to(group.id).emit('member role', { room: group.id, up, role }); });
    io.to(group.id).emit('group updated', group);
  };

  /** Everyone still in the room is told the group is gone, and leaves it on every server. */
  const gone = async (id: string, users: Up[]) => {
    io.to([id, ...users.map(userRoom)]).emit('group deleted', { room: id });
    io.in(id).socketsLeave(id);
    revoke(id, null);
    await ctx.buffer.forget(id);
  };

  return {
    requireMember: (id: string, up: Up) => membership.require(id, up),

    create: async (me: Up, name: string, users: Up[]): Promise<Group> => {
      const group = await data.createGroup({ name, users, createdBy: me });
      await ctx.buffer.prime(group.id, [], 0);
      io.in(group.users.map(userRoom)).socketsJoin(group.id);
      io.to(group.users.map(userRoom)).emit('group created', group);
      return group;
    },

    rename: async (me: Up, id: string, name: string): Promise<Group> => {
      const group = await data.renameGroup(id, name, me);
      io.to(id).emit('group updated', group);
      return group;
    },

    remove: async (me: Up, id: string): Promise<void> => {
      const group = await data.getGroup(id);
      await data.deleteGroup(id, me);
      await gone(id, group.users);
    },

    addMembers: async (me: Up, id: string, users: Up[]): Promise<Group> => {
      const before = new Set((await data.getGroup(id)).users);
      const group = await data.addMembers(id, users, me);
      const added = group.users.filter((up) => !before.has(up));
      if (added.length > 0) io.in(added.map(userRoom)).socketsJoin(id);
      io.to([id, ...added.map(userRoom)]).emit('group updated', group);
      added.forEach((up) => { io.to([id, userRoom(up)]).emit('member joined', { room: id, up }); });
      return group;
    },

    /**
     * Yourself: leaving. Someone else: owners and admins, never the owner. The
     * owner leaving passes ownership on; the last member leaving deletes the group.
     */
    removeMember: async (me: Up, id: string, up: Up): Promise<Group> => {
      const before = await data.getGroup(id);
      const group = await data.removeMember(id, up, me);
      io.to([id, userRoom(up)]).emit('member left', { room: id, up });
      io.in(userRoom(up)).socketsLeave(id);
      revoke(id, up);
      if (group.users.length === 0) {
        await gone(id, [up]);
        return group;
      }
      const successor = group.owner !== null && group.owner !== before.owner ? group.owner : null;
      tellRoles(group, successor ? [{ up: successor, role: 'owner' }] : []);
      return group;
    },

    /** Promote to admin or demote to member (owners and admins). */
    setRole: async (me: Up, id: string, up: Up, role: AssignableRole): Promise<Group> => {
      const group = await data.setMemberRole(id, up, role, me);
      tellRoles(group, [{ up, role }]);
      return group;
    },

    /** The owner hands the group to another member and becomes an admin. */
    transferOwnership: async (me: Up, id: string, to: Up): Promise<Group> => {
      const group = await data.transferOwnership(id, to, me);
      tellRoles(group, to === me ? [] : [{ up: to, role: 'owner' }, { up: me, role: 'admin' }]);
      return group;
    },

    members: async (me: Up, id: string): Promise<User[]> => {
      await membership.require(id, me);
      const group = await data.getGroup(id);
      const pages = await Promise.all(chunks(group.users, 100).map((ups) => data.usersByUp(ups)));
      return pages.flatMap((page) => page.items);
    },
  };
}

export type GroupOperations = ReturnType<typeof createGroupOperations>;
