/**
 * The open group's messages in a scroll container: the newest at the bottom,
 * older pages loaded as the person scrolls up (keeping what they look at in
 * place), live messages followed only when they are already at the bottom.
 * Each stored message shows its latest state: edited (in place, own messages),
 * deleted (a placeholder in its place), the quote it replies to (a click jumps
 * to the original), reaction chips, highlighted mentions; hovering (or focusing)
 * it shows its actions: delete on own messages, and on every message for the
 * group's owner and admins.
 */
import { roleAllows, roleIn } from '@chat/contract';
import type { ChatApp } from '../app/chat-app';
import { mentionClassifier, splitMentions } from '../logic/mentions';
import type { MentionTarget } from '../logic/mentions';
import type { TimelineItem } from '../logic/timeline';
import {
  formatTime, initials, listNames, preview,
} from '../logic/text';
import { fill, h, reconcile } from './dom';
import { attachmentList } from './attachments';
import { icon } from './icons';
import { messageText } from './message-text';

/** The picker's emoji: a fixed set of common ones. */
export const REACTION_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'] as const;

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
  /** One message at a time is being edited, asked about deletion, or reacted to through the picker. */
  let editing: { id: string; input: HTMLTextAreaElement } | null = null;
  let confirmingDelete: string | null = null;
  let pickerFor: string | null = null;
  let classify: (name: string) => MentionTarget | null = () => null;
  let memberKey = '';

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

  const openRoom = () => store.openGroup ?? '';

  const closeTransient = () => {
    confirmingDelete = null;
    pickerFor = null;
  };

  const startEdit = (item: TimelineItem) => {
    if (!item.id) return;
    const input = h('textarea', {
      class: 'edit-input', testid: 'message-edit-input', rows: 1, 'aria-label': 'Edit message',
    });
    input.value = item.message;
    const editId = item.id;
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void saveEdit();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        stopEdit(editId);
      }
    });
    input.addEventListener('input', () => {
      input.style.height = 'auto';
      input.style.height = `${Math.min(input.scrollHeight + 2, 180)}px`;
    });
    editing = { id: editId, input };
    closeTransient();
    render();
    input.style.height = `${Math.min(input.scrollHeight + 2, 180)}px`;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  };

  function stopEdit(focusId?: string) {
    editing = null;
    render();
    if (focusId) list.querySelector<HTMLElement>(`[data-id="${focusId}"] [data-testid="message-edit"]`)?.focus();
  }

  async function saveEdit() {
    const current = editing;
    if (!current) return;
    current.input.disabled = true;
    const saved = await app.changes.edit(openRoom(), current.id, current.input.value);
    if (editing !== current) return;
    current.input.disabled = false;
    if (saved) stopEdit(current.id);
    else current.input.focus();
  }

  const editor = (item: TimelineItem, input: HTMLTextAreaElement) => h(
    'div',
    { class: 'edit-box' },
    input,
    h(
      'div',
      { class: 'edit-actions' },
      h('span', { class: 'edit-hint' }, 'Enter to save · Esc to cancel'),
      h('button', {
        type: 'button', class: 'secondary small', testid: 'message-edit-cancel', on: { click: () => stopEdit(item.id ?? undefined) },
      }, 'Cancel'),
      h('button', {
        type: 'button', class: 'small', testid: 'message-edit-save', on: { click: () => { void saveEdit(); } },
      }, 'Save'),
    ),
  );

  const jumpTo = async (seq: number) => {
    const current = openRoom();
    const find = () => list.querySelector<HTMLElement>(`[data-testid="message-item"][data-seq="${seq}"]`);
    if (!find() && !(await messages.loadUntil(current, seq))) {
      app.changes.cancelReply();
      return;
    }
    const target = find();
    if (!target || store.openGroup !== current) return;
    stickToBottom = false;
    target.scrollIntoView({ block: 'center' });
    target.classList.remove('jumped');
    // Restarts the highlight if the same message is jumped to again.
    void target.offsetWidth;
    target.classList.add('jumped');
    target.focus({ preventScroll: true });
    setTimeout(() => target.classList.remove('jumped'), 2000);
  };

  const replyQuote = (item: TimelineItem) => {
    const quote = item.replyTo;
    if (!quote) return null;
    // The original as held now: deleted since, it shows so here too.
    const original = store.timelines.get(openRoom())?.find(quote.id);
    const deleted = quote.deleted === true || original?.deleted === true;
    const text = deleted ? 'Message deleted' : preview(quote.excerpt ?? '', 80);
    return h(
      'button',
      {
        type: 'button',
        class: `reply-quote${deleted ? ' deleted' : ''}`,
        testid: 'reply-quote',
        'data-seq': quote.seq,
        title: 'Show the original message',
        on: { click: () => { void jumpTo(quote.seq); } },
      },
      h('span', { class: 'reply-author' }, store.displayName(quote.up)),
      h('span', { class: 'reply-excerpt' }, text),
    );
  };

  const reactionRow = (item: TimelineItem) => {
    if (item.deleted || item.id === null) return null;
    const messageId = item.id;
    const chips = item.reactions.map((reaction) => {
      const mine = store.ownReactions.has(item, reaction.emoji);
      const listedMe = reaction.ups.includes(store.me.up);
      // Past the reactors listed, the person's own reaction is named first.
      const names = [...(mine && !listedMe ? ['You'] : []),
        ...reaction.ups.map((up) => (up === store.me.up ? 'You' : store.displayName(up)))];
      const others = reaction.count - names.length;
      const who = others > 0 ? `${names.join(', ')} and ${others} more` : listNames(names, names.length);
      return h(
        'button',
        {
          type: 'button',
          class: `reaction-chip${mine ? ' mine' : ''}`,
          testid: 'reaction-chip',
          'data-emoji': reaction.emoji,
          'aria-pressed': String(mine),
          title: `${who} reacted with ${reaction.emoji}`,
          'aria-label': `${reaction.emoji} ${reaction.count}${mine ? ', yours: click to take it back' : ''}`,
          on: { click: () => { void app.changes.toggleReaction(openRoom(), messageId, reaction.emoji); } },
        },
        h('span', { class: 'reaction-emoji', 'aria-hidden': 'true' }, reaction.emoji),
        h('span', { class: 'reaction-count', testid: 'reaction-count' }, reaction.count),
      );
    });
    if (chips.length === 0) return null;
    const more = h('button', {
      type: 'button',
      class: 'reaction-chip reaction-more',
      testid: 'reaction-add',
      'aria-label': 'Add a reaction',
      title: 'Add a reaction',
      on: { click: () => togglePicker(messageId) },
    }, icon('smile', 14));
    return h('div', { class: 'reactions', testid: 'reactions' }, ...chips, more);
  };

  const picker = (item: TimelineItem) => {
    if (item.id === null || pickerFor !== item.id) return null;
    const messageId = item.id;
    const options = REACTION_EMOJI.map((emoji) => h('button', {
      type: 'button',
      class: `reaction-option${store.ownReactions.has(item, emoji) ? ' mine' : ''}`,
      testid: 'reaction-option',
      'data-emoji': emoji,
      role: 'menuitem',
      'aria-label': `React with ${emoji}`,
      on: {
        click: () => {
          pickerFor = null;
          render();
          void app.changes.toggleReaction(openRoom(), messageId, emoji);
        },
      },
    }, emoji));
    const menu = h('div', {
      class: 'reaction-picker', testid: 'reaction-picker', role: 'menu', 'aria-label': 'Pick a reaction',
    }, ...options);
    menu.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      pickerFor = null;
      render();
      list.querySelector<HTMLElement>(`[data-id="${messageId}"] [data-testid="message-react"]`)?.focus();
    });
    return menu;
  };

  function togglePicker(id: string) {
    pickerFor = pickerFor === id ? null : id;
    confirmingDelete = null;
    render();
    list.querySelector<HTMLElement>(`[data-id="${id}"] [data-testid="reaction-option"]`)?.focus();
  }

  const deleteQuestion = (item: TimelineItem) => {
    if (item.id === null || confirmingDelete !== item.id) return null;
    const messageId = item.id;
    const cancel = h('button', {
      type: 'button',
      class: 'secondary small',
      testid: 'message-delete-cancel',
      on: {
        click: () => {
          confirmingDelete = null;
          render();
        },
      },
    }, 'Cancel');
    const confirm = h('button', {
      type: 'button',
      class: 'danger small',
      testid: 'message-delete-confirm',
      on: {
        click: () => {
          confirm.disabled = true;
          void app.changes.remove(openRoom(), messageId).then(() => {
            confirmingDelete = null;
            render();
          });
        },
      },
    }, 'Delete');
    return h(
      'div',
      { class: 'delete-question', role: 'group', 'aria-label': 'Delete this message?' },
      h('p', {}, 'Delete this message for everyone?'),
      h('div', { class: 'form-actions' }, cancel, confirm),
    );
  };

  /** Whether the person may delete others' messages in the open group (its owner and admins may). */
  const moderates = () => {
    const group = store.groups.get(openRoom())?.group;
    const role = group ? roleIn(group, store.me.up) : undefined;
    return role !== undefined && roleAllows(role, 'deleteAnyMessage');
  };

  const actions = (item: TimelineItem, mine: boolean, mayDelete: boolean) => {
    if (item.id === null || item.seq === null || item.deleted || editing?.id === item.id) return null;
    const messageId = item.id;
    const action = (testid: string, label: string, name: Parameters<typeof icon>[0], run: () => void) => h('button', {
      type: 'button', class: 'action', testid, 'aria-label': label, title: label, on: { click: run },
    }, icon(name, 16));
    return h(
      'div',
      {
        class: 'message-actions', testid: 'message-actions', role: 'toolbar', 'aria-label': 'Message actions',
      },
      action('message-reply', 'Reply', 'reply', () => {
        app.changes.replyTo(openRoom(), messageId);
      }),
      action('message-react', 'Add a reaction', 'smile', () => togglePicker(messageId)),
      mine ? action('message-edit', 'Edit', 'edit', () => startEdit(item)) : null,
      mayDelete ? action('message-delete', 'Delete', 'trash', () => {
        confirmingDelete = messageId;
        pickerFor = null;
        render();
        list.querySelector<HTMLElement>(`[data-id="${messageId}"] [data-testid="message-delete-cancel"]`)?.focus();
      }) : null,
    );
  };

  const update = (li: HTMLElement, row: Row) => {
    if (row.kind === 'divider') return;
    const { item, continued } = row;
    const mine = item.up === store.me.up;
    const mayDelete = mine || moderates();
    const status = mine ? statusText(row) : '';
    const author = store.displayName(item.up);
    const isEditing = item.id !== null && editing?.id === item.id;
    const signature = JSON.stringify([
      item.status, item.seq, item.error, continued, status, author, item.timestamp, item.rev, item.message,
      item.editedAt, item.deleted, item.replyTo, item.reactions, item.mentions, isEditing,
      item.reactions.map((r) => store.ownReactions.has(item, r.emoji)),
      confirmingDelete === item.id, pickerFor === item.id, memberKey, mayDelete,
      item.replyTo ? store.timelines.get(openRoom())?.find(item.replyTo.id)?.deleted : null,
      item.replyTo ? store.displayName(item.replyTo.up) : null,
    ]);
    if (li.dataset.signature === signature) return;
    li.dataset.signature = signature;
    const mentionsMe = !item.deleted && (item.mentions.includes(store.me.up)
      || splitMentions(item.message, classify).some((s) => s.kind === 'mention' && s.target === 'me'));
    li.className = `message ${mine ? 'own' : 'theirs'}${continued ? ' continued' : ''} status-${item.status}`
      + `${item.deleted ? ' deleted' : ''}${mentionsMe && !mine ? ' mentions-me' : ''}${isEditing ? ' editing' : ''}`;
    li.tabIndex = -1;
    li.dataset.status = item.status;
    li.dataset.from = item.up;
    li.dataset.clientId = item.clientId;
    if (item.seq !== null) li.dataset.seq = String(item.seq);
    else delete li.dataset.seq;
    if (item.id) li.dataset.id = item.id;
    if (item.rev !== null) li.dataset.rev = String(item.rev);
    else delete li.dataset.rev;
    li.toggleAttribute('data-deleted', item.deleted);
    const time = formatTime(item.timestamp);
    const retry = item.status === 'failed'
      ? h('button', {
        type: 'button', class: 'retry', testid: 'message-retry', on: { click: () => { void messages.deliver(store.openGroup ?? '', item.clientId); } },
      }, 'Retry')
      : null;
    let body: HTMLElement;
    if (item.deleted) {
      body = h('p', { class: 'text deleted-text', testid: 'message-deleted' }, 'Message deleted');
    } else if (isEditing && editing) body = editor(item, editing.input);
    else body = messageText(item.message, classify);
    const focused = isEditing && document.activeElement === editing?.input;
    fill(
      li,
      !mine ? h('span', { class: 'avatar', 'aria-hidden': 'true', title: author }, continued ? '' : initials(author)) : null,
      h(
        'div',
        { class: 'message-body' },
        h(
          'div',
          { class: 'bubble' },
          !mine && !continued ? h('p', { class: 'author', testid: 'message-author' }, author, h('span', { class: 'author-up' }, ` ${item.up}`)) : null,
          item.deleted ? null : replyQuote(item),
          body,
          item.deleted ? null : attachmentList(app, store.openGroup ?? '', item.attachments),
          h(
            'p',
            { class: 'message-meta' },
            item.editedAt
              ? h('span', {
                class: 'edited', testid: 'message-edited', title: `Edited ${new Date(item.editedAt).toLocaleString()}`,
              }, 'edited')
              : null,
            h('time', { datetime: item.timestamp, title: new Date(item.timestamp).toLocaleString() }, time),
            item.seq !== null ? h('span', { class: 'seq', title: 'Position in the group' }, `#${item.seq}`) : null,
            mine ? h('span', { class: 'status', testid: 'message-status' }, status) : null,
          ),
          item.status === 'failed' ? h('p', { class: 'send-error', role: 'alert' }, item.error ?? 'Not sent.', ' ', retry) : null,
          deleteQuestion(item),
        ),
        reactionRow(item),
        picker(item),
        actions(item, mine, mayDelete),
      ),
    );
    if (focused) editing?.input.focus();
  };

  function render() {
    const room = store.openGroup;
    if (!room) {
      reconcile(list, [], keyOf, create, update, cache);
      shownRoom = null;
      return;
    }
    const timeline = store.timeline(room);
    if (shownRoom !== room) {
      editing = null;
      closeTransient();
    }
    // Mentions are highlighted for the members known (the list loads when the group opens).
    const profiles = store.memberProfiles(room);
    memberKey = profiles.map((u) => `${u.up}:${u.username}`).join(',');
    classify = mentionClassifier(store.me, profiles);
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
  }

  // A click elsewhere closes the reaction picker; Escape also drops a delete question.
  document.addEventListener('click', (event) => {
    if (pickerFor === null || !(event.target instanceof Element)) return;
    if (event.target.closest('[data-testid="reaction-picker"], [data-testid="message-react"], [data-testid="reaction-add"]')) return;
    pickerFor = null;
    render();
  });
  list.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || (pickerFor === null && confirmingDelete === null)) return;
    closeTransient();
    render();
  });

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
