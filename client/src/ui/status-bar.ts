/** Which chat server the socket is on, and how the connection is doing. */
import type { ChatApp } from '../app/chat-app';
import type { ConnectionState } from '../net/connection';
import { h } from './dom';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  'catching-up': 'Catching up…',
  online: 'Online',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export function createStatusBar(app: ChatApp): HTMLElement {
  const pill = h('span', { class: 'status-pill', testid: 'connection-status', role: 'status' });
  const serverId = h('span', { class: 'server-id', testid: 'server-id' });
  const serverUrl = h('span', { class: 'server-url', testid: 'server-url' });
  const detail = h('p', { class: 'status-detail', testid: 'connection-detail' });
  const retry = h('button', {
    type: 'button', class: 'link-button', testid: 'connection-retry', on: { click: () => app.retryConnection() },
  }, 'Retry now');
  const bar = h(
    'div',
    { class: 'status-bar' },
    h('div', { class: 'status-line' }, pill, h('span', { class: 'server' }, serverId, serverUrl)),
    h('div', { class: 'status-line' }, detail, retry),
  );

  const render = () => {
    const {
      state, url, serverId: id, detail: why,
    } = app.store.connection;
    pill.dataset.state = state;
    pill.textContent = LABELS[state];
    bar.dataset.state = state;
    serverId.textContent = id ?? (url ? 'chat server' : '—');
    serverUrl.textContent = url ?? '';
    serverUrl.title = url ?? '';
    detail.textContent = why ?? '';
    detail.hidden = !why;
    retry.hidden = state !== 'reconnecting' && state !== 'connecting';
  };
  app.store.on('connection', render);
  render();
  return bar;
}
