/** The open group's details: members with presence, rename, add and remove members, leave, delete. */
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

  const memberRow = (up: string, room: string, iAmCreator: boolean, creator: string | null) => {
    const user = store.users.get(up);
    const online = store.isOnline(up);
    const lastSeen = store.lastSeen(up);
    const me = up === store.me.up;
    const tags = [me ? 'you' : '', up === creator ? 'creator' : ''].filter(Boolean).join(' · ');
    const remove = iAmCreator && !me
      ? h('button', {
        type: 'button',
        class: 'icon-button',
        testid: 'member-remove',
        'aria-label': `Remove ${user?.name ?? up}`,
        on: {
          click: () => {
            showError(null);
            groups.removeMember(room, up).catch((err: unknown) => showError(describeError(err)));
          },
        },
      }, icon('close', 16))
      : null;
    let presenceText = 'offline';
    if (online) presenceText = 'online';
    else if (lastSeen) presenceText = `last seen ${formatTime(lastSeen)}`;
    return [
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
        h('span', { class: 'member-name' }, user?.name ?? up, tags ? h('span', { class: 'tag' }, ` ${tags}`) : null),
        h('span', { class: 'member-sub' }, `${user ? `@${user.username} · ` : ''}${up} · `, h('span', { testid: 'presence-text' }, presenceText)),
      ),
      remove,
    ];
  };
  const rowCache = new Map<string, HTMLElement>();

  const render = () => {
    const room = store.openGroup;
    const entry = room ? store.groups.get(room) : undefined;
    if (!room || !entry) return;
    const members = store.members.get(room) ?? entry.group.users;
    const creator = entry.group.createdBy;
    const iAmCreator = creator === store.me.up;
    const online = members.filter((up) => store.isOnline(up)).length;
    heading.textContent = `Members · ${members.length} (${online} online)`;
    const sorted = [...members].sort((a, b) => Number(store.isOnline(b)) - Number(store.isOnline(a))
      || store.displayName(a).localeCompare(store.displayName(b)));
    reconcile(list, sorted, (up) => up, (up) => h('li', { class: 'member', testid: 'member-item', 'data-up': up }), (li, up) => {
      const signature = JSON.stringify([
        store.users.get(up), store.isOnline(up), store.lastSeen(up), iAmCreator, creator, room,
      ]);
      if (li.dataset.signature === signature) return;
      li.dataset.signature = signature;
      fill(li, ...memberRow(up, room, iAmCreator, creator));
    }, rowCache);
    if (document.activeElement !== rename.input) rename.input.value = entry.group.name;
    if (element.dataset.room !== room) {
      element.dataset.room = room;
      showError(null);
      const name = () => store.groups.get(room)?.group.name ?? entry.group.name;
      fill(
        actions,
        confirmButton('Leave group', () => `Leave “${name()}”? You will stop receiving its messages.`, 'group-leave', () => (
          groups.removeMember(room, store.me.up).catch((err: unknown) => showError(describeError(err)))
        )),
        iAmCreator
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
