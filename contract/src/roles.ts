/**
 * Group roles: one owner, any number of admins, and members. What each role
 * may do is stated here once; the data service enforces it (docs/design.md,
 * Roles) and the test client reads it to show only what the caller may do.
 */
import { z } from 'zod';

export const ROLES = ['owner', 'admin', 'member'] as const;
export const roleSchema = z.enum(ROLES).meta({ description: 'A member\'s role in a group.' });
export type Role = z.infer<typeof roleSchema>;

/** The roles `PUT …/members/{up}/role` sets; ownership moves only by a transfer. */
export const assignableRoleSchema = z.enum(['admin', 'member'])
  .meta({ description: 'The role to give: `admin` or `member` (ownership moves by a transfer).' });
export type AssignableRole = z.infer<typeof assignableRoleSchema>;

/** Everything a role may be asked to do in a group (`deleteAnyMessage`: delete messages of other members). */
export type GroupAction =
  | 'rename' | 'addMembers' | 'removeMembers' | 'setRoles' | 'deleteGroup' | 'transferOwnership' | 'leave'
  | 'deleteAnyMessage';

const ALLOWED: Record<Role, ReadonlySet<GroupAction>> = {
  owner: new Set<GroupAction>([
    'rename', 'addMembers', 'removeMembers', 'setRoles', 'deleteGroup', 'transferOwnership', 'leave', 'deleteAnyMessage',
  ]),
  admin: new Set<GroupAction>(['rename', 'addMembers', 'removeMembers', 'setRoles', 'leave', 'deleteAnyMessage']),
  member: new Set<GroupAction>(['leave']),
};

export const roleAllows = (role: Role, action: GroupAction): boolean => ALLOWED[role].has(action);

export interface GroupRoles {
  users: readonly string[];
  owner: string | null;
  admins: readonly string[];
}

/** The role of `up` in a group as the group record lists it; undefined when not a member. */
export function roleIn(group: GroupRoles, up: string): Role | undefined {
  if (!group.users.includes(up)) return undefined;
  if (group.owner === up) return 'owner';
  return group.admins.includes(up) ? 'admin' : 'member';
}

/**
 * Whether a member of role `actor` may remove, promote or demote a member of
 * role `target`: owners and admins manage admins and members; nobody but a
 * transfer touches the owner.
 */
export const mayManage = (actor: Role, target: Role): boolean => roleAllows(actor, 'setRoles') && target !== 'owner';
