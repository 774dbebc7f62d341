/** The person's groups, newest activity first, with unread counts and the last message. */
import type { ChatApp } from '../app/chat-app';
import type { GroupEntry } from '../app/store';
import { formatTime, initials, preview } from '../logic/text';
import { fill, h, reconcile } from './dom';

export function createGroupList(app: ChatApp, open: (room: string) => void): HTMLElement {
  const { store } = app;
  const list = h('ul', { class: 'group-list', testid: 'group-list', 'aria-label': 'Your groups' });
  const empty = h('p', { class: 'empty-hint', testid: 'group-list-empty' }, 'No groups yet. Start one with “New group”.');
  const cache = new Map<string, HTMLElement>();

  const previewOf = (entry: GroupEntry): string => {
    const last = entry.lastMessage;
    if (!last) return entry.group.lastSeq > 0 ? 'Open to see the messages' : 'No messages yet';
    const who = last.up === store.me.up ? 'You' : store.displayName(last.up);
    return `${who}: ${preview(last.message, 60)}`;
  };

  const create = (entry: GroupEntry) => {
    const button = h('button', {
      type: 'button', class: 'group-item', testid: 'group-item', 'data-group-id': entry.group.id,
    });
    button.addEventListener('click', () => open(button.dataset.groupId ?? ''));
    return h('li', {}, button);
  };

  const update = (li: HTMLElement, entry: GroupEntry) => {
    const button = li.firstElementChild as HTMLButtonElement;
    const active = store.openGroup === entry.group.id;
    const time = entry.lastMessage ? formatTime(entry.lastMessage.timestamp) : '';
    const signature = JSON.stringify([
      entry.group.name, entry.unread, entry.unreadMentions, previewOf(entry), time, active,
    ]);
    if (button.dataset.signature === signature) return;
    button.dataset.signature = signature;
    button.classList.toggle('active', active);
    button.classList.toggle('has-unread', entry.unread > 0);
    if (active) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
    const mentions = entry.unreadMentions;
    const mentionLabel = mentions > 0 ? `, ${mentions} mention${mentions === 1 ? '' : 's'} of you` : '';
    const unreadLabel = `${entry.unread > 0 ? `, ${entry.unread} unread` : ''}${mentionLabel}`;
    button.setAttribute('aria-label', `${entry.group.name}${unreadLabel}`);
    fill(
      button,
      h('span', { class: 'avatar group-avatar', 'aria-hidden': 'true' }, initials(entry.group.name)),
      h(
        'span',
        { class: 'group-main' },
        h('span', { class: 'group-name', testid: 'group-name' }, entry.group.name),
        h('span', { class: 'group-preview', testid: 'group-preview' }, previewOf(entry)),
      ),
      h(
        'span',
        { class: 'group-side' },
        h('span', { class: 'group-time' }, time),
        h(
          'span',
          { class: 'group-badges' },
          mentions > 0
            ? h('span', {
              class: 'badge mention-badge', testid: 'group-mentions', 'data-count': mentions, 'aria-hidden': 'true', title: `${mentions} unread mention${mentions === 1 ? '' : 's'} of you`,
            }, mentions > 1 ? `@ ${mentions > 99 ? '99+' : mentions}` : '@')
            : null,
          entry.unread > 0
            ? h('span', { class: 'badge', testid: 'group-unread', 'aria-hidden': 'true' }, entry.unread > 99 ? '99+' : entry.unread)
            : null,
        ),
      ),
    );
  };

  const render = () => {
    const entries = store.sortedGroups();
    reconcile(list, entries, (e) => e.group.id, create, update, cache);
    empty.hidden = entries.length > 0;
  };
  store.on('groups', render);
  store.on('open', render);
  render();
  return h('nav', { class: 'group-nav', 'aria-label': 'Groups' }, list, empty);
}
