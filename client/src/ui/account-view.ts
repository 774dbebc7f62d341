/**
 * The account page: edit the profile (name, username), change the password
 * (the current one required; other sessions are signed out), and sign out
 * everywhere.
 */
import type { ChatApp } from '../app/chat-app';
import { describeError } from '../api/describe-error';
import { h, uid } from './dom';

/** A labelled input. */
const field = (label: string, input: HTMLInputElement) => {
  const id = uid('account');
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), input);
};

/** Shows `message` in `el` as an error or a confirmation. */
const say = (el: HTMLElement, message: string, ok: boolean) => {
  const target = el;
  target.textContent = message;
  target.className = ok ? 'form-ok' : 'form-error';
  target.hidden = false;
};

export function createAccountView(app: ChatApp, onProfile: () => void): { toggle: HTMLElement; panel: HTMLElement } {
  const { me } = app.store;

  const name = h('input', {
    required: true, maxlength: 100, testid: 'account-name', autocomplete: 'name', value: me.name,
  });
  const username = h('input', {
    required: true, maxlength: 32, pattern: '[A-Za-z0-9_.\\-]+', testid: 'account-username', autocomplete: 'username', value: me.username,
  });
  const profileNote = h('p', { role: 'status', testid: 'account-profile-note', hidden: true });
  const profileSave = h('button', { type: 'submit', class: 'primary', testid: 'account-profile-save' }, 'Save profile');
  const profile = h(
    'form',
    { class: 'account-section', 'aria-label': 'Profile', testid: 'account-profile' },
    h('h3', { class: 'panel-title', text: 'Profile' }),
    field('Name', name),
    field('Username', username),
    profileNote,
    h('div', { class: 'form-actions' }, profileSave),
  );
  profile.addEventListener('submit', (event) => {
    event.preventDefault();
    const changes: { name?: string; username?: string } = {};
    if (name.value.trim() !== me.name) changes.name = name.value.trim();
    if (username.value.trim() !== me.username) changes.username = username.value.trim();
    if (Object.keys(changes).length === 0) {
      say(profileNote, 'Nothing to change.', true);
      return;
    }
    profileSave.disabled = true;
    app.account.updateProfile(changes)
      .then((user) => {
        Object.assign(me, user);
        app.store.users.set(user.up, user);
        say(profileNote, 'Profile saved.', true);
        onProfile();
      })
      .catch((err: unknown) => say(profileNote, describeError(err), false))
      .finally(() => { profileSave.disabled = false; });
  });

  const oldPassword = h('input', {
    type: 'password', required: true, testid: 'account-old-password', autocomplete: 'current-password',
  });
  const newPassword = h('input', {
    type: 'password', required: true, minlength: 8, testid: 'account-new-password', autocomplete: 'new-password',
  });
  const passwordNote = h('p', { role: 'status', testid: 'account-password-note', hidden: true });
  const passwordSave = h('button', { type: 'submit', class: 'primary', testid: 'account-password-save' }, 'Change password');
  const password = h(
    'form',
    { class: 'account-section', 'aria-label': 'Password', testid: 'account-password' },
    h('h3', { class: 'panel-title', text: 'Password' }),
    field('Current password', oldPassword),
    field('New password', newPassword),
    h('p', { class: 'field-hint', text: 'Your other sessions are signed out; this one stays.' }),
    passwordNote,
    h('div', { class: 'form-actions' }, passwordSave),
  );
  password.addEventListener('submit', (event) => {
    event.preventDefault();
    passwordSave.disabled = true;
    app.account.changePassword(oldPassword.value, newPassword.value)
      .then(() => {
        password.reset();
        say(passwordNote, 'Password changed. Your other sessions are signed out.', true);
      })
      .catch((err: unknown) => say(passwordNote, describeError(err), false))
      .finally(() => { passwordSave.disabled = false; });
  });

  const everywhereNote = h('p', { role: 'status', testid: 'account-everywhere-note', hidden: true });
  const everywhere = h('button', {
    type: 'button', class: 'secondary', testid: 'account-sign-out-everywhere',
  }, 'Sign out everywhere');
  everywhere.addEventListener('click', () => {
    everywhere.disabled = true;
    app.signOutEverywhere()
      .catch((err: unknown) => {
        say(everywhereNote, describeError(err), false);
        everywhere.disabled = false;
      });
  });

  const panel = h(
    'section',
    {
      class: 'account-panel', testid: 'account-panel', hidden: true, 'aria-label': 'Account',
    },
    profile,
    password,
    h(
      'div',
      { class: 'account-section' },
      h('h3', { class: 'panel-title', text: 'Sessions' }),
      h('p', { class: 'field-hint', text: 'Signs out every browser and device, this one included.' }),
      everywhereNote,
      everywhere,
    ),
  );
  const toggle = h('button', {
    type: 'button', class: 'secondary small', testid: 'account-toggle', 'aria-expanded': 'false',
  }, 'Account');
  toggle.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) name.focus();
  });
  return { toggle, panel };
}
