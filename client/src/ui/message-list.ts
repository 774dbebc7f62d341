/**
 * The open group's messages in a scroll container: the newest at the bottom,
 * older pages loaded as the person scrolls up (keeping what they look at in
 * place), live messages followed only when they are already at the bottom.
 */
import type { ChatApp } from '../app/chat-app';
import type { TimelineItem } from '../logic/timeline';
import { formatTime, initials, listNames } from '../logic/text';
import { fill, h, reconcile } from './dom';
import { attachmentList } from './attachments';
import { messageText } from './message-text';

/** `seenBy`: null when nobody else has read it; the readers' names, or [] when only "Seen" is shown. */
type Row = { kind: 'divider' } | { kind: 'message'; item: TimelineItem; continued: boolean; seenBy: string[] | null };

const GROUPING_MS = 5 * 60 * 1000;
const NEAR_TOP_PX = 150;
const NEAR_BOTTOM_PX = 48;

export interface MessageListView {
  element: HTMLElement;
  /** A group was opened: start at its newest message. */
  opened(): void;
  scrollToLatest(): void;
}

export function createMessageList(app: ChatApp): MessageListView {
  const { store, messages } = app;
  const list = h('ol', { class: 'message-list', testid: 'message-list' });
  const historyButton = h('button', { type: 'button', class: 'link-button', testid: 'load-older' }, 'Load earlier messages');
  const historyText = h('span', { testid: 'history-status-text' });
  const history = h('div', { class: 'history-status', testid: 'history-status' }, historyText, historyButton);
  const scroll = h('div', {
    class: 'message-scroll', testid: 'message-scroll', tabindex: 0, role: 'log', 'aria-label': 'Messages',
  }, history, list);
  const jump = h('button', {
    type: 'button', class: 'jump-latest', testid: 'jump-latest', hidden: true,
  }, 'New messages ↓');
  const element = h('div', { class: 'message-area' }, scroll, jump);
  const cache = new Map<string, HTMLElement>();
  let shownRoom: string | null = null;
  let stickToBottom = true;

  const atBottom = () => scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < NEAR_BOTTOM_PX;
  const scrollToLatest = () => {
    scroll.scrollTop = scroll.scrollHeight;
    stickToBottom = true;
    jump.hidden = true;
  };

  const rows = (room: string): Row[] => {
    const timeline = store.timelines.get(room);
    if (!timeline) return [];
    const items = timeline.items();
    const me = store.me.up;
    const lastOwnSeq = items.reduce((best, i) => (i.up === me && i.seq !== null && i.seq > best ? i.seq : best), 0);
    const result: Row[] = [];
    let dividerShown = false;
    let previous: TimelineItem | null = null;
    items.forEach((item) => {
      const marker = store.unreadMarker;
      const startsUnread = marker !== null && !dividerShown && item.seq !== null && item.seq > marker && item.up !== me;
      if (startsUnread) {
        result.push({ kind: 'divider' });
        dividerShown = true;
      }
      const continued = !startsUnread && previous !== null && previous.up === item.up
        && Date.parse(item.timestamp) - Date.parse(previous.timestamp) < GROUPING_MS;
      const readers = item.up === me && item.seq !== null ? store.reads.readersOf(room, item.seq, me) : [];
      // Names only under the newest own message; older ones just say "Seen".
      const names = item.seq === lastOwnSeq ? readers.map((up) => store.displayName(up)) : [];
      result.push({
        kind: 'message', item, continued, seenBy: readers.length > 0 ? names : null,
      });
      previous = item;
    });
    return result;
  };

  const keyOf = (row: Row) => (row.kind === 'divider' ? 'divider' : row.item.key);

  const create = (row: Row) => (row.kind === 'divider'
    ? h('li', { class: 'unread-divider', testid: 'unread-divider', role: 'separator' }, h('span', {}, 'New messages'))
    : h('li', { testid: 'message-item' }));

  const statusText = (row: Extract<Row, { kind: 'message' }>): string => {
    const { item, seenBy } = row;
    if (item.status === 'pending') return store.connection.state === 'online' ? 'Sending…' : 'Waiting for connection…';
    if (item.status === 'failed') return 'Not sent';
    if (seenBy === null) return 'Sent';
    return seenBy.length > 0 ? `Seen by ${listNames(seenBy)}` : 'Seen';
  };

  const update = (li: HTMLElement, row: Row) => {
    if (row.kind === 'divider') return;
    const { item, continued } = row;
    const mine = item.up === store.me.up;
    const status = mine ? statusText(row) : '';
    const author = store.displayName(item.up);
    const signature = JSON.stringify([item.status, item.seq, item.error, continued, status, author, item.timestamp]);
    if (li.dataset.signature === signature) return;
    li.dataset.signature = signature;
    li.className = `message ${mine ? 'own' : 'theirs'}${continued ? ' continued' : ''} status-${item.status}`;
    li.dataset.status = item.status;
    li.dataset.from = item.up;
    li.dataset.clientId = item.clientId;
    if (item.seq !== null) li.dataset.seq = String(item.seq);
    else delete li.dataset.seq;
    if (item.id) li.dataset.id = item.id;
    const time = formatTime(item.timestamp);
    const retry = item.status === 'failed'
      ? h('button', {
        type: 'button', class: 'retry', testid: 'message-retry', on: { click: () => { void messages.deliver(store.openGroup ?? '', item.clientId); } },
      }, 'Retry')
      : null;
    fill(
      li,
      !mine ? h('span', { class: 'avatar', 'aria-hidden': 'true', title: author }, continued ? '' : initials(author)) : null,
      h(
        'div',
        { class: 'bubble' },
        !mine && !continued ? h('p', { class: 'author', testid: 'message-author' }, author, h('span', { class: 'author-up' }, ` ${item.up}`)) : null,
        messageText(item.message),
        attachmentList(app, store.openGroup ?? '', item.attachments),
        h(
          'p',
          { class: 'message-meta' },
          h('time', { datetime: item.timestamp, title: new Date(item.timestamp).toLocaleString() }, time),
          item.seq !== null ? h('span', { class: 'seq', title: 'Position in the group' }, `#${item.seq}`) : null,
          mine ? h('span', { class: 'status', testid: 'message-status' }, status) : null,
        ),
        item.status === 'failed' ? h('p', { class: 'send-error', role: 'alert' }, item.error ?? 'Not sent.', ' ', retry) : null,
      ),
    );
  };

  const render = () => {
    const room = store.openGroup;
    if (!room) {
      reconcile(list, [], keyOf, create, update, cache);
      shownRoom = null;
      return;
    }
    const timeline = store.timeline(room);
    // The oldest message shown, not the first row: the unread divider can stay first while a page goes in above it.
    const firstMessage = () => list.querySelector<HTMLElement>('[data-testid="message-item"]');
    const anchor = shownRoom === room ? firstMessage() : null;
    const anchorTop = anchor?.getBoundingClientRect().top ?? 0;
    const follow = stickToBottom || shownRoom !== room;
    reconcile(list, rows(room), keyOf, create, update, cache);
    // Older messages went in above: keep the ones being read where they were on screen.
    if (!follow && anchor && anchor.isConnected && firstMessage() !== anchor) {
      scroll.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
    }
    if (follow && timeline.loaded) scrollToLatest();
    shownRoom = room;

    const loading = messages.isLoadingOlder(room) || (!timeline.loaded && messages.isCatchingUp(room));
    let text = '';
    if (loading) text = 'Loading messages…';
    else if (!timeline.loaded) text = store.connection.state === 'online' ? '' : 'Messages will load once connected.';
    else if (timeline.hasOlder) text = '';
    else text = timeline.messages.length > 0 ? 'This is the beginning of the conversation.' : 'No messages yet. Say hello!';
    historyText.textContent = text;
    if (loading) history.dataset.state = 'loading';
    else history.dataset.state = timeline.hasOlder ? 'more' : 'start';
    historyButton.hidden = loading || !timeline.loaded || !timeline.hasOlder;
    // A short first page does not fill the view, so no scrolling would ever ask for more.
    if (timeline.loaded && timeline.hasOlder && !loading && scroll.scrollHeight <= scroll.clientHeight + NEAR_TOP_PX) {
      void messages.loadOlder(room);
    }
  };

  scroll.addEventListener('scroll', () => {
    const room = store.openGroup;
    if (!room) return;
    stickToBottom = atBottom();
    if (stickToBottom) jump.hidden = true;
    messages.viewing(stickToBottom);
    if (scroll.scrollTop < NEAR_TOP_PX) void messages.loadOlder(room);
  }, { passive: true });
  historyButton.addEventListener('click', () => { if (store.openGroup) void messages.loadOlder(store.openGroup); });
  // A resized window (phone rotation, the keyboard opening) keeps the newest message in view.
  new ResizeObserver(() => {
    if (stickToBottom && store.openGroup) scroll.scrollTop = scroll.scrollHeight;
  }).observe(scroll);
  jump.addEventListener('click', () => {
    scrollToLatest();
    messages.viewing(true);
  });

  const onTimeline = () => {
    const room = store.openGroup;
    const wasAtBottom = stickToBottom;
    render();
    if (room && !wasAtBottom && shownRoom === room) {
      const newest = store.timelines.get(room)?.lastSeq ?? 0;
      const entry = store.groups.get(room);
      jump.hidden = !(entry && entry.unread > 0 && newest > 0);
    }
  };
  // A search result asked to show one message (app/search.ts): scroll to it and highlight it.
  const reveal = () => {
    const target = store.focus;
    if (!target || target.room !== store.openGroup) return;
    render();
    const li = list.querySelector<HTMLElement>(`[data-testid="message-item"][data-seq="${target.seq}"]`);
    if (!li) return;
    store.focus = null;
    list.querySelectorAll<HTMLElement>('[data-found]').forEach((el) => { delete el.dataset.found; });
    li.dataset.found = 'true';
    stickToBottom = false;
    li.scrollIntoView({ block: 'center' });
  };
  store.on('timeline', onTimeline);
  store.on('focus', reveal);
  store.on('reads', render);
  store.on('members', render);
  store.on('connection', render);

  return {
    element,
    opened: () => {
      stickToBottom = true;
      jump.hidden = true;
      render();
    },
    scrollToLatest,
  };
}
