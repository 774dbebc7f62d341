/**
 * Writing a message: Enter sends, Shift+Enter starts a new line; typing is announced, throttled.
 * A reply shows "Replying to …" above the input (Esc or × cancels); typing `@` offers the group's
 * members (arrows to choose, Enter or Tab to insert, Esc to close).
 */
import { LIMITS, codePointLength } from '@chat/contract';
import type { User } from '@chat/contract';
import type { ChatApp } from '../app/chat-app';
import { createAttachmentTray } from './attachments';
import { mentionAtCaret, suggestMembers } from '../logic/mentions';
import { preview } from '../logic/text';
import { fill, h, uid } from './dom';
import { icon } from './icons';

const COUNTER_FROM = LIMITS.messageLength - 500;
const MAX_ROWS_PX = 180;

export interface ComposerView {
  element: HTMLElement;
  focus(): void;
  /** Enables it for the open group (or disables it when none is open). */
  setRoom(room: string | null): void;
}

export function createComposer(app: ChatApp, beforeSend: () => void): ComposerView {
  const id = uid('composer');
  const input = h('textarea', {
    id,
    rows: 1,
    testid: 'composer-input',
    placeholder: 'Write a message…',
    'aria-describedby': `${id}-help`,
  });
  const send = h('button', {
    type: 'submit', class: 'send', testid: 'composer-send', 'aria-label': 'Send message', title: 'Send (Enter)',
  }, icon('send'));
  const counter = h('span', { class: 'counter', testid: 'composer-counter', 'aria-live': 'polite' });
  const replyText = h('span', { class: 'composer-reply-text' });
  const replyCancel = h('button', {
    type: 'button', class: 'icon-button small', testid: 'composer-reply-cancel', 'aria-label': 'Cancel the reply', title: 'Cancel the reply (Esc)',
  }, icon('close', 16));
  const replyBar = h('div', {
    class: 'composer-reply', testid: 'composer-reply', hidden: true, 'aria-live': 'polite',
  }, icon('reply', 16), replyText, replyCancel);
  const suggestions = h('ul', {
    class: 'mention-suggestions', testid: 'mention-suggestions', id: `${id}-mentions`, role: 'listbox', hidden: true, 'aria-label': 'Members to mention',
  });
  const form = h(
    'form',
    { class: 'composer', testid: 'composer', 'aria-label': 'Send a message' },
    replyBar,
    suggestions,
    h('label', { for: id, class: 'visually-hidden', text: 'Message' }),
    input,
    send,
    h('p', { id: `${id}-help`, class: 'visually-hidden', text: 'Enter sends. Shift and Enter starts a new line.' }),
    counter,
  );
  let room: string | null = null;
  // Files picked or dropped go up at once; they leave with the next message.
  // eslint-disable-next-line @typescript-eslint/no-use-before-define
  const tray = createAttachmentTray(app, () => room, () => refresh());
  form.insertBefore(tray.picker, input);
  form.prepend(tray.element);
  let offered: User[] = [];
  let chosen = 0;
  let mentionStart = -1;

  const closeSuggestions = () => {
    offered = [];
    suggestions.hidden = true;
    input.removeAttribute('aria-activedescendant');
    input.setAttribute('aria-expanded', 'false');
  };
  const pick = (user: User) => {
    const caret = input.selectionStart;
    const name = user.username || user.up;
    input.value = `${input.value.slice(0, mentionStart)}@${name} ${input.value.slice(caret)}`;
    const at = mentionStart + name.length + 2;
    input.setSelectionRange(at, at);
    closeSuggestions();
    input.focus();
  };
  const showSuggestions = () => {
    suggestions.hidden = offered.length === 0;
    input.setAttribute('aria-expanded', String(offered.length > 0));
    fill(suggestions, ...offered.map((user, i) => {
      const option = h(
        'li',
        {
          id: `${id}-mention-${i}`,
          class: `mention-option${i === chosen ? ' chosen' : ''}`,
          testid: 'mention-option',
          role: 'option',
          'aria-selected': String(i === chosen),
          'data-up': user.up,
        },
        h('span', { class: 'mention-name' }, user.name || user.username),
        h('span', { class: 'mention-handle' }, `@${user.username} · ${user.up}`),
      );
      // mousedown, not click: the input keeps its focus and caret.
      option.addEventListener('mousedown', (event) => {
        event.preventDefault();
        pick(user);
      });
      return option;
    }));
    if (offered.length > 0) input.setAttribute('aria-activedescendant', `${id}-mention-${chosen}`);
  };
  const suggest = () => {
    const collapsed = input.selectionStart === input.selectionEnd;
    const at = room && collapsed ? mentionAtCaret(input.value, input.selectionStart) : null;
    if (!at || !room) {
      closeSuggestions();
      return;
    }
    const me = app.store.me.up;
    offered = suggestMembers(at.query, app.store.memberProfiles(room).filter((u) => u.up !== me));
    mentionStart = at.start;
    chosen = Math.min(chosen, Math.max(0, offered.length - 1));
    showSuggestions();
  };
  const renderReply = () => {
    const target = app.store.replyingTo;
    const original = target && target.room === room
      ? app.store.timelines.get(target.room)?.find(target.id) : undefined;
    replyBar.hidden = !original;
    if (!original) return;
    fill(
      replyText,
      'Replying to ',
      h('strong', {}, app.store.displayName(original.up)),
      h('span', { class: 'composer-reply-excerpt' }, original.deleted ? 'Message deleted' : preview(original.message, 80)),
    );
  };
  replyCancel.addEventListener('click', () => {
    app.changes.cancelReply();
    input.focus();
  });
  app.store.on('compose', () => {
    renderReply();
    if (app.store.replyingTo && app.store.replyingTo.room === room) input.focus();
  });
  app.store.on('timeline', renderReply);

  const resize = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_ROWS_PX)}px`;
  };
  const refresh = () => {
    // Counted in code points, as the server counts (a `maxlength` attribute would count UTF-16 units).
    const length = codePointLength(input.value);
    counter.textContent = length >= COUNTER_FROM ? `${length} / ${LIMITS.messageLength}` : '';
    const files = tray.ready();
    send.disabled = room === null || tray.busy() || (input.value.trim() === '' && files.length === 0);
    resize();
  };
  const submit = () => {
    const files = tray.ready();
    if (!room || tray.busy() || (input.value.trim() === '' && files.length === 0)) return;
    beforeSend();
    // A message has text: files sent alone are named in it.
    const text = input.value.trim() === '' ? files.map((f) => f.name).join(', ') : input.value;
    if (app.messages.send(room, text, files) !== null) {
      input.value = '';
      tray.clear();
      refresh();
      closeSuggestions();
    }
    input.focus();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', `${id}-mentions`);
  input.addEventListener('keydown', (event) => {
    if (offered.length > 0 && !event.isComposing) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        chosen = (chosen + (event.key === 'ArrowDown' ? 1 : offered.length - 1)) % offered.length;
        showSuggestions();
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        const user = offered[chosen];
        if (user) pick(user);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        closeSuggestions();
        return;
      }
    }
    if (event.key === 'Escape' && app.store.replyingTo) {
      event.preventDefault();
      app.changes.cancelReply();
      return;
    }
    // While an input method composes a word, Enter confirms the word, not the message.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  form.addEventListener('dragover', (event) => {
    if (!room || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    form.classList.add('dropping');
  });
  form.addEventListener('dragleave', () => form.classList.remove('dropping'));
  form.addEventListener('drop', (event) => {
    form.classList.remove('dropping');
    if (!room || !event.dataTransfer?.files.length) return;
    event.preventDefault();
    tray.add([...event.dataTransfer.files]);
  });
  input.addEventListener('blur', closeSuggestions);
  input.addEventListener('input', () => {
    refresh();
    suggest();
    if (room && input.value.trim() !== '') app.messages.typing(room);
  });

  return {
    element: form,
    focus: () => input.focus(),
    setRoom: (next) => {
      if (next !== room) {
        input.value = '';
        tray.clear();
        closeSuggestions();
      }
      room = next;
      input.disabled = next === null;
      refresh();
      renderReply();
    },
  };
}
