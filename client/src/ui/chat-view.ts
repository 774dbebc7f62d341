/** The signed-in page: groups on the side, the conversation beside them (stacked on a phone). */
import type { ChatApp } from '../app/chat-app';
import { initials } from '../logic/text';
import { createAccountView } from './account-view';
import { createConversation } from './conversation-view';
import { createGroupForm } from './create-group-form';
import { h } from './dom';
import { createGroupList } from './group-list';
import { createSearchPanel } from './search-panel';
import { createNotificationBell } from './notification-center';
import { createStatusBar } from './status-bar';

export function renderChat(root: HTMLElement, app: ChatApp, toasts: HTMLElement): void {
  const { store } = app;
  const layout = h('div', { class: 'chat-layout', testid: 'chat-view', 'data-view': 'list' });
  const openGroup = (room: string) => {
    app.messages.open(room);
    void app.groups.loadMembers(room);
  };
  const { me } = store;
  const meName = h('p', { class: 'me-name', testid: 'me-name' }, me.name || me.username);
  const meSub = h('p', { class: 'me-sub', testid: 'me-up' }, `@${me.username} · ${me.up}`);
  const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(me.name || me.username));
  const account = createAccountView(app, () => {
    avatar.textContent = initials(me.name || me.username);
    meName.textContent = me.name || me.username;
    meSub.textContent = `@${me.username} · ${me.up}`;
  });
  const signOut = h('button', {
    type: 'button', class: 'secondary small', testid: 'sign-out', on: { click: () => app.signOut() },
  }, 'Sign out');
  const sidebar = h(
    'aside',
    { class: 'sidebar', 'aria-label': 'Groups and connection' },
    h(
      'header',
      { class: 'me' },
      avatar,
      h(
        'div',
        { class: 'me-main' },
        meName,
        meSub,
      ),
      createNotificationBell(app),
      account.toggle,
      signOut,
    ),
    account.panel,
    createStatusBar(app),
    createGroupForm(app),
    createSearchPanel(app),
    createGroupList(app, openGroup),
  );
  const conversation = createConversation(app, () => {
    app.messages.close();
    const item = layout.querySelector<HTMLElement>('[data-testid="group-item"].active, [data-testid="group-item"]');
    item?.focus();
  });
  layout.append(sidebar, conversation.element);

  const sync = () => {
    layout.dataset.view = store.openGroup ? 'conversation' : 'list';
    const unread = [...store.groups.values()].reduce((sum, e) => sum + e.unread, 0);
    document.title = unread > 0 ? `(${unread}) Group chat` : 'Group chat';
  };
  store.on('open', sync);
  store.on('groups', sync);
  sync();
  root.replaceChildren(layout, toasts);
}
