/** "New group": a name and the members' user numbers. */
import type { ChatApp } from '../app/chat-app';
import { describeError } from '../api/describe-error';
import { parseUps } from '../logic/text';
import { h, uid } from './dom';

export function createGroupForm(app: ChatApp): HTMLElement {
  const nameId = uid('group-name');
  const membersId = uid('group-members');
  const name = h('input', {
    id: nameId, required: true, maxlength: 100, testid: 'group-create-name', autocomplete: 'off',
  });
  const members = h('input', {
    id: membersId,
    testid: 'group-create-members',
    autocomplete: 'off',
    'aria-describedby': `${membersId}-hint`,
    placeholder: 'e.g. 1002, 1003',
  });
  const error = h('p', {
    class: 'form-error', role: 'alert', testid: 'group-create-error', hidden: true,
  });
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'group-create-submit' }, 'Create');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const form = h(
    'form',
    {
      class: 'create-group', testid: 'group-create-form', hidden: true, 'aria-label': 'New group',
    },
    h('div', { class: 'field' }, h('label', { for: nameId, text: 'Group name' }), name),
    h(
      'div',
      { class: 'field' },
      h('label', { for: membersId, text: 'Members' }),
      members,
      h('p', { class: 'field-hint', id: `${membersId}-hint`, text: 'User numbers, separated by commas. You are added too.' }),
    ),
    error,
    h('div', { class: 'form-actions' }, cancel, submit),
  );
  const toggle = h('button', {
    type: 'button', class: 'new-group', testid: 'group-create-toggle', 'aria-expanded': 'false',
  }, h('span', { 'aria-hidden': 'true' }, '+'), ' New group');

  const setOpen = (open: boolean) => {
    form.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    error.hidden = true;
    if (open) name.focus();
    else toggle.focus();
  };
  toggle.addEventListener('click', () => setOpen(form.hidden));
  cancel.addEventListener('click', () => setOpen(false));
  form.addEventListener('keydown', (event) => { if (event.key === 'Escape') setOpen(false); });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const { ups, invalid } = parseUps(members.value);
    const showError = (message: string) => {
      error.textContent = message;
      error.hidden = false;
    };
    if (invalid.length > 0) {
      showError(`These are not user numbers: ${invalid.join(', ')}.`);
      return;
    }
    submit.disabled = true;
    app.groups.create(name.value.trim(), ups.filter((up) => up !== app.store.me.up))
      .then(() => {
        form.reset();
        form.hidden = true;
        toggle.setAttribute('aria-expanded', 'false');
      })
      .catch((err: unknown) => showError(describeError(err)))
      .finally(() => { submit.disabled = false; });
  });
  return h('div', { class: 'create-group-wrap' }, toggle, form);
}
