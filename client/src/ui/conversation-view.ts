/** The open group: header, messages, who is typing, the composer, and the details panel. */
import type { ChatApp } from '../app/chat-app';
import { initials, listNames } from '../logic/text';
import { createComposer } from './composer';
import { h } from './dom';
import { icon } from './icons';
import { createMembersPanel } from './members-panel';
import { createMessageList } from './message-list';
import { createGroupNotifySelect } from './notification-center';

export interface ConversationView {
  element: HTMLElement;
}

export function createConversation(app: ChatApp, back: () => void): ConversationView {
  const { store } = app;
  const title = h('h2', { class: 'conversation-title', testid: 'conversation-title', id: 'conversation-title' });
  const subtitle = h('p', { class: 'conversation-subtitle', testid: 'conversation-subtitle' });
  const avatar = h('span', { class: 'avatar group-avatar', 'aria-hidden': 'true' });
  const backButton = h('button', {
    type: 'button', class: 'icon-button back', testid: 'back-to-groups', 'aria-label': 'Back to groups',
  }, icon('back'));
  const panel = createMembersPanel(app);
  panel.element.id = 'members-panel';
  const membersToggle = h('button', {
    type: 'button', class: 'secondary members-toggle', testid: 'members-toggle', 'aria-expanded': 'false', 'aria-controls': 'members-panel',
  }, 'Details');
  const typing = h('p', { class: 'typing', testid: 'typing-indicator', 'aria-live': 'polite' });
  const messageList = createMessageList(app);
  const composer = createComposer(app, () => messageList.scrollToLatest());
  const empty = h(
    'div',
    { class: 'no-conversation', testid: 'no-conversation' },
    h('p', { class: 'no-conversation-title' }, 'Pick a group to start chatting'),
    h('p', {}, 'Or create a new one with “New group”.'),
  );
  const active = h(
    'div',
    { class: 'conversation-active', hidden: true },
    h(
      'header',
      { class: 'conversation-header' },
      backButton,
      avatar,
      h('div', { class: 'conversation-heading' }, title, subtitle),
      createGroupNotifySelect(app),
      membersToggle,
    ),
    h('div', { class: 'conversation-body' }, messageList.element, panel.element),
    typing,
    composer.element,
  );
  const element = h('section', { class: 'conversation', testid: 'conversation', 'aria-labelledby': 'conversation-title' }, empty, active);
  let shown: string | null = null;

  const setPanel = (open: boolean) => {
    panel.element.hidden = !open;
    membersToggle.setAttribute('aria-expanded', String(open));
    element.classList.toggle('panel-open', open);
    if (open) panel.render();
  };
  membersToggle.addEventListener('click', () => setPanel(panel.element.hidden));
  panel.element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      setPanel(false);
      membersToggle.focus();
    }
  });
  backButton.addEventListener('click', back);

  const renderHeader = () => {
    const room = store.openGroup;
    const entry = room ? store.groups.get(room) : undefined;
    if (!room || !entry) return;
    title.textContent = entry.group.name;
    avatar.textContent = initials(entry.group.name);
    const members = store.members.get(room) ?? entry.group.users;
    const online = members.filter((up) => up !== store.me.up && store.isOnline(up)).length;
    subtitle.textContent = `${members.length} member${members.length === 1 ? '' : 's'}${online > 0 ? ` · ${online} online` : ''}`;
  };

  const renderTyping = () => {
    const room = store.openGroup;
    const names = room ? store.typing.active(room, Date.now()).map((up) => store.displayName(up)) : [];
    typing.textContent = '';
    if (names.length === 0) return;
    typing.append(
      h('span', { class: 'typing-dots', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')),
      `${listNames(names)} ${names.length === 1 ? 'is' : 'are'} typing…`,
    );
  };

  const onOpen = () => {
    const room = store.openGroup;
    empty.hidden = room !== null;
    active.hidden = room === null;
    composer.setRoom(room);
    if (room !== shown) {
      shown = room;
      if (room) {
        messageList.opened();
        composer.focus();
      }
    }
    renderHeader();
    renderTyping();
    if (!panel.element.hidden) panel.render();
  };
  store.on('open', onOpen);
  store.on('groups', renderHeader);
  store.on('members', renderHeader);
  store.on('presence', renderHeader);
  store.on('typing', renderTyping);
  onOpen();
  return { element };
}
