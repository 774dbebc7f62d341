/**
 * The group list and membership: REST actions the person takes, and the
 * server's events about groups (someone else created, renamed, added, removed).
 */
import type {
  AssignableRole, Group, MemberRolePayload, PresenceBatch, Up,
} from '@chat/contract';
import { describeError } from '../api/describe-error';
import type { AppContext } from './context';

export class Groups {
  /** Changes the person made here: their own echo needs no "you were removed" notice. */
  private readonly ownChanges = new Set<string>();

  private refreshing: Promise<void> | null = null;

  constructor(private readonly ctx: AppContext, private readonly onOpen: (room: string) => void) {}

  private get store() { return this.ctx.store; }

  private name(room: string): string { return this.store.groups.get(room)?.group.name ?? 'the group'; }

  /** Reloads the list (unread counts, last messages): at start and after each reconnect. */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.ctx.api.groups()
      .then((items) => {
        this.store.setGroups(items);
        this.store.notify('groups', 'open');
      })
      .catch((err: unknown) => this.ctx.toast(`Could not load your groups. ${describeError(err)}`))
      .finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  /** Throws an ApiError the form shows next to its fields. */
  async create(name: string, users: Up[]): Promise<void> {
    const group = await this.ctx.api.createGroup(name, users);
    this.store.upsertGroup(group);
    this.store.notify('groups');
    this.onOpen(group.id);
    // As when a group is opened from the list: names and presence of the members it was created with.
    void this.loadMembers(group.id);
  }

  async rename(room: string, name: string): Promise<void> {
    this.applyGroup(await this.ctx.api.renameGroup(room, name));
  }

  async addMembers(room: string, users: Up[]): Promise<void> {
    this.applyGroup(await this.ctx.api.addMembers(room, users));
    await this.loadMembers(room);
  }

  /** Removing oneself is leaving. */
  async removeMember(room: string, up: Up): Promise<void> {
    if (up !== this.store.me.up) {
      this.applyGroup(await this.ctx.api.removeMember(room, up));
      await this.loadMembers(room);
      return;
    }
    // Our own leaving: its event, if it comes first, is no news to tell. Once the answer is in,
    // the group is forgotten and a late event is ignored anyway, so the note goes either way.
    this.ownChanges.add(room);
    try {
      await this.ctx.api.removeMember(room, up);
      this.forget(room);
    } finally {
      this.ownChanges.delete(room);
    }
  }

  async setRole(room: string, up: Up, role: AssignableRole): Promise<void> {
    this.applyGroup(await this.ctx.api.setRole(room, up, role));
  }

  async transferOwnership(room: string, up: Up): Promise<void> {
    this.applyGroup(await this.ctx.api.transferOwnership(room, up));
  }

  async remove(room: string): Promise<void> {
    this.ownChanges.add(room);
    try {
      await this.ctx.api.deleteGroup(room);
      this.forget(room);
    } finally {
      this.ownChanges.delete(room);
    }
  }

  async loadMembers(room: string): Promise<void> {
    try {
      const users = await this.ctx.api.members(room);
      this.store.rememberUsers(users);
      this.store.members.set(room, users.map((u) => u.up));
      this.store.notify('members', 'presence', 'timeline', 'typing');
    } catch (err) {
      if (this.store.groups.has(room)) this.ctx.toast(`Could not load the members. ${describeError(err)}`);
    }
  }

  // ---- server events ----

  created(group: Group): void {
    const known = this.store.groups.has(group.id);
    this.store.upsertGroup(group);
    this.store.notify('groups');
    if (!known && group.createdBy !== this.store.me.up) this.ctx.toast(`You were added to “${group.name}”.`, 'info');
  }

  updated(group: Group): void {
    if (!group.users.includes(this.store.me.up)) {
      this.left(group.id, this.store.me.up);
      return;
    }
    this.applyGroup(group);
  }

  /** Someone's role changed; `group updated` with every role follows, this makes the change visible at once. */
  roleChanged({ room, up, role }: MemberRolePayload): void {
    const entry = this.store.groups.get(room);
    if (!entry || !entry.group.users.includes(up)) return;
    const { group } = entry;
    const admins = group.admins.filter((u) => u !== up);
    if (role === 'admin') admins.push(up);
    const formerOwner = role === 'owner' && group.owner !== up ? group.owner : null;
    if (formerOwner && !admins.includes(formerOwner)) admins.push(formerOwner);
    entry.group = {
      ...group, admins: admins.sort(), owner: role === 'owner' ? up : group.owner,
    };
    if (up === this.store.me.up) {
      const said = { owner: 'the owner', admin: 'an admin', member: 'a member' }[role];
      this.ctx.toast(`You are now ${said} of “${group.name}”.`, 'info');
    }
    this.store.notify('groups', 'members');
  }

  deleted(room: string): void {
    if (!this.store.groups.has(room)) return;
    if (!this.ownChanges.delete(room)) this.ctx.toast(`“${this.name(room)}” was deleted.`, 'info');
    this.forget(room);
  }

  joined(room: string, up: Up): void {
    const entry = this.store.groups.get(room);
    if (!entry) {
      if (up === this.store.me.up) void this.refresh();
      return;
    }
    if (!entry.group.users.includes(up)) entry.group.users = [...entry.group.users, up];
    this.store.notify('groups', 'members');
    if (this.store.members.has(room)) void this.loadMembers(room);
  }

  left(room: string, up: Up): void {
    const entry = this.store.groups.get(room);
    if (!entry) return;
    if (up === this.store.me.up) {
      if (!this.ownChanges.delete(room)) this.ctx.toast(`You are no longer a member of “${entry.group.name}”.`, 'info');
      this.forget(room);
      return;
    }
    entry.group.users = entry.group.users.filter((u) => u !== up);
    const members = this.store.members.get(room);
    if (members) this.store.members.set(room, members.filter((u) => u !== up));
    this.store.notify('groups', 'members');
  }

  presence(batch: PresenceBatch): void {
    batch.online.forEach((up) => {
      this.store.presence.set(up, { online: true, lastSeen: this.store.lastSeen(up) });
    });
    batch.offline.forEach(({ up, lastSeen }) => this.store.presence.set(up, { online: false, lastSeen }));
    this.store.notify('presence', 'members');
  }

  private applyGroup(group: Group): void {
    this.store.upsertGroup(group);
    const members = this.store.members.get(group.id);
    const changed = members && (members.length !== group.users.length || members.some((u) => !group.users.includes(u)));
    this.store.notify('groups', 'open', 'members');
    if (changed) void this.loadMembers(group.id);
  }

  private forget(room: string): void {
    this.store.forgetGroup(room);
    this.store.notify('groups', 'open', 'members', 'timeline');
  }
}
