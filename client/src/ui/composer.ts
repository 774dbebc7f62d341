/** Writing a message: Enter sends, Shift+Enter starts a new line; typing is announced, throttled. */
import { LIMITS, codePointLength } from '@chat/contract';
import type { ChatApp } from '../app/chat-app';
import { createAttachmentTray } from './attachments';
import { h, uid } from './dom';
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
  const form = h(
    'form',
    { class: 'composer', testid: 'composer', 'aria-label': 'Send a message' },
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
    }
    input.focus();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener('keydown', (event) => {
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
  input.addEventListener('input', () => {
    refresh();
    if (room && input.value.trim() !== '') app.messages.typing(room);
  });

  return {
    element: form,
    focus: () => input.focus(),
    setRoom: (next) => {
      if (next !== room) { input.value = ''; tray.clear(); }
      room = next;
      input.disabled = next === null;
      refresh();
    },
  };
}
