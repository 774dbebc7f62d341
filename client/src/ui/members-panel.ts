/**
 * The open group's settings: members with presence and role badges; rename,
 * add, remove, promote and demote for owners and admins; transfer and delete
 * for the owner; leave for everyone. Only what the caller's role allows is
 * shown (the server refuses the rest anyway).
 */
import { mayManage, roleAllows, roleIn } from '@chat/contract';
import type { Group, Role } from '@chat/contract';
import type { ChatApp } from '../app/chat-app';
import { describeError } from '../api/describe-error';
import { formatTime, initials, parseUps } from '../logic/text';
import {
  fill, h, reconcile, uid,
} from './dom';
import { confirmButton } from './confirm-button';
import { icon } from './icons';

export interface MembersPanelView {
  element: HTMLElement;
  /** Redraws for the open group. */
  render(): void;
}

function inlineForm(
  label: string,
  button: string,
  testid: string,
  onSubmit: (value: string, input: HTMLInputElement) => Promise<void>,
  showError: (message: string | null) => void,
  placeholder = '',
): { form: HTMLFormElement; input: HTMLInputElement } {
  const id = uid(testid);
  const input = h('input', {
    id, testid: `${testid}-input`, autocomplete: 'off', required: true, placeholder,
  });
  const submit = h('button', { type: 'submit', class: 'secondary', testid: `${testid}-submit` }, button);
  const form = h(
    'form',
    { class: 'inline-form', testid: `${testid}-form` },
    h('label', { for: id, text: label }),
    h('div', { class: 'inline-row' }, input, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    showError(null);
    submit.disabled = true;
    onSubmit(input.value.trim(), input)
      .catch((err: unknown) => showError(describeError(err)))
      .finally(() => { submit.disabled = false; });
  });
  return { form, input };
}

export function createMembersPanel(app: ChatApp): MembersPanelView {
  const { store, groups } = app;
  const error = h('p', {
    class: 'form-error', role: 'alert', testid: 'members-error', hidden: true,
  });
  const showError = (message: string | null) => {
    error.textContent = message ?? '';
    error.hidden = !message;
  };
  const openRoom = () => store.openGroup ?? '';

  const rename = inlineForm('Group name', 'Rename', 'group-rename', async (name) => {
    if (name) await groups.rename(openRoom(), name);
  }, showError);
  const add = inlineForm('Add members', 'Add', 'member-add', async (value, input) => {
    const { ups, invalid } = parseUps(value);
    if (invalid.length > 0) throw new Error(`these are not user numbers: ${invalid.join(', ')}`);
    if (ups.length === 0) return;
    await groups.addMembers(openRoom(), ups);
    input.value = '';
  }, showError, 'User numbers, comma-separated');

  const heading = h('h2', { class: 'panel-title', testid: 'members-title' });
  const list = h('ul', { class: 'member-list', testid: 'member-list' });
  const actions = h('div', { class: 'panel-actions' });
  const element = h(
    'aside',
    {
      class: 'members-panel', testid: 'members-panel', hidden: true, 'aria-label': 'Group details',
    },
    heading,
    list,
    error,
    add.form,
    rename.form,
    actions,
  );

  const act = (task: Promise<void>) => {
    showError(null);
    task.catch((err: unknown) => showError(describeError(err)));
  };

  const ROLE_LABEL: Record<Role, string> = { owner: 'owner', admin: 'admin', member: '' };

  /** Whether `myRole` lets the caller remove, promote or demote member `up` of role `role`. */
  const manages = (up: string, role: Role, myRole: Role | undefined): myRole is Role => (
    myRole !== undefined && up !== store.me.up && mayManage(myRole, role));

  const removeButton = (group: Group, up: string) => {
    const name = store.displayName(up);
    return h('button', {
      type: 'button',
      class: 'icon-button',
      testid: 'member-remove',
      'aria-label': `Remove ${name}`,
      title: `Remove ${name}`,
      on: { click: () => act(groups.removeMember(group.id, up)) },
    }, icon('close', 16));
  };

  /** Promote or demote, and (for the owner) hand the group over. */
  const roleActions = (group: Group, up: string, role: Role, myRole: Role) => {
    const room = group.id;
    const name = store.displayName(up);
    const promote = role === 'admin'
      ? h('button', {
        type: 'button', class: 'secondary small', testid: 'member-demote', on: { click: () => act(groups.setRole(room, up, 'member')) },
      }, 'Remove admin')
      : h('button', {
        type: 'button', class: 'secondary small', testid: 'member-promote', on: { click: () => act(groups.setRole(room, up, 'admin')) },
      }, 'Make admin');
    const transfer = roleAllows(myRole, 'transferOwnership')
      ? confirmButton('Make owner', () => `Make ${name} the owner of “${group.name}”? You will become an admin.`, 'member-transfer', () => (
        groups.transferOwnership(room, up).catch((err: unknown) => showError(describeError(err)))
      ))
      : null;
    return h('div', { class: 'member-actions' }, promote, transfer);
  };

  const memberRow = (group: Group, up: string, myRole: Role | undefined) => {
    const user = store.users.get(up);
    const online = store.isOnline(up);
    const lastSeen = store.lastSeen(up);
    const role = roleIn(group, up) ?? 'member';
    const badge = ROLE_LABEL[role]
      ? h('span', { class: `role-badge role-${role}`, testid: 'role-badge', 'data-role': role }, ROLE_LABEL[role])
      : null;
    const me = up === store.me.up ? h('span', { class: 'tag' }, ' you') : null;
    let presenceText = 'offline';
    if (online) presenceText = 'online';
    else if (lastSeen) presenceText = `last seen ${formatTime(lastSeen)}`;
    return [
      h(
        'div',
        { class: 'member-line' },
        h(
          'span',
          { class: 'avatar small', 'aria-hidden': 'true' },
          initials(user?.name ?? up),
          h('span', {
            class: `presence-dot${online ? ' online' : ''}`, testid: 'presence-dot', 'data-online': String(online),
          }),
        ),
        h(
          'span',
          { class: 'member-main' },
          h('span', { class: 'member-name' }, user?.name ?? up, me, badge),
          h('span', { class: 'member-sub' }, `${user ? `@${user.username} · ` : ''}${up} · `, h('span', { testid: 'presence-text' }, presenceText)),
        ),
        manages(up, role, myRole) ? removeButton(group, up) : null,
      ),
      manages(up, role, myRole) ? roleActions(group, up, role, myRole) : null,
    ];
  };
  const rowCache = new Map<string, HTMLElement>();

  const render = () => {
    const room = store.openGroup;
    const entry = room ? store.groups.get(room) : undefined;
    if (!room || !entry) return;
    const { group } = entry;
    const members = store.members.get(room) ?? group.users;
    const myRole = roleIn(group, store.me.up);
    element.dataset.role = myRole ?? '';
    const online = members.filter((up) => store.isOnline(up)).length;
    heading.textContent = `Members · ${members.length} (${online} online)`;
    const rank = (up: string) => ['owner', 'admin', 'member'].indexOf(roleIn(group, up) ?? 'member');
    const sorted = [...members].sort((a, b) => rank(a) - rank(b)
      || Number(store.isOnline(b)) - Number(store.isOnline(a))
      || store.displayName(a).localeCompare(store.displayName(b)));
    reconcile(list, sorted, (up) => up, (up) => h('li', { class: 'member', testid: 'member-item', 'data-up': up }), (li, up) => {
      const signature = JSON.stringify([
        store.users.get(up), store.isOnline(up), store.lastSeen(up),
        group.owner, group.admins, group.name, myRole, room,
      ]);
      if (li.dataset.signature === signature) return;
      li.dataset.signature = signature;
      li.dataset.role = roleIn(group, up) ?? 'member';
      fill(li, ...memberRow(group, up, myRole));
    }, rowCache);
    rename.form.hidden = !myRole || !roleAllows(myRole, 'rename');
    add.form.hidden = !myRole || !roleAllows(myRole, 'addMembers');
    if (document.activeElement !== rename.input) rename.input.value = group.name;
    const actionsKey = `${room}|${myRole ?? ''}`;
    if (actions.dataset.key !== actionsKey) {
      if (element.dataset.room !== room) showError(null);
      element.dataset.room = room;
      actions.dataset.key = actionsKey;
      const name = () => store.groups.get(room)?.group.name ?? group.name;
      const leaveText = () => (roleIn(store.groups.get(room)?.group ?? group, store.me.up) === 'owner'
        ? `Leave “${name()}”? The longest-standing admin (else member) becomes the owner; `
          + 'if you are the last member, the group is deleted.'
        : `Leave “${name()}”? You will stop receiving its messages.`);
      fill(
        actions,
        confirmButton('Leave group', leaveText, 'group-leave', () => (
          groups.removeMember(room, store.me.up).catch((err: unknown) => showError(describeError(err)))
        )),
        myRole && roleAllows(myRole, 'deleteGroup')
          ? confirmButton('Delete group', () => `Delete “${name()}” and all its messages for everyone?`, 'group-delete', () => (
            groups.remove(room).catch((err: unknown) => showError(describeError(err)))
          ))
          : null,
      );
    }
  };
  store.on('members', render);
  store.on('presence', render);
  store.on('groups', render);
  store.on('connection', render);
  return { element, render };
}
