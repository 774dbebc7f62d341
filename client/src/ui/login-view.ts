/** Sign in or create an account, on the configured chat server. */
import type { ChatApi, LoginRequest, Session } from '../api/chat-api';
import { describeError } from '../api/describe-error';
import type { ClientConfig } from '../config';
import { h, uid } from './dom';
import { icon } from './icons';

type Mode = 'login' | 'register';

interface Field {
  name: string;
  label: string;
  type?: string;
  autocomplete: string;
  hint?: string;
  attrs?: Record<string, string | number | boolean>;
}

function field(prefix: string, spec: Field): { row: HTMLElement; input: HTMLInputElement } {
  const id = uid(`${prefix}-${spec.name}`);
  const hintId = spec.hint ? `${id}-hint` : undefined;
  const input = h('input', {
    id,
    name: spec.name,
    type: spec.type ?? 'text',
    autocomplete: spec.autocomplete,
    required: true,
    'aria-describedby': hintId,
    testid: `${prefix}-${spec.name}`,
    ...spec.attrs,
  });
  const row = h(
    'div',
    { class: 'field' },
    h('label', { for: id, text: spec.label }),
    input,
    spec.hint ? h('p', { class: 'field-hint', id: hintId, text: spec.hint }) : null,
  );
  return { row, input };
}

/** User numbers are digits in practice: anything else is taken for a username. */
export const loginRequest = (identifier: string, password: string): LoginRequest => (
  /^\d+$/.test(identifier) ? { up: identifier, password } : { username: identifier, password }
);

export function renderLogin(
  root: HTMLElement,
  api: ChatApi,
  config: ClientConfig,
  onSession: (session: Session) => void,
  notice: string | null,
): void {
  let mode: Mode = 'login';
  const error = h('p', {
    class: 'form-error', role: 'alert', testid: 'auth-error', hidden: true,
  });
  const showError = (message: string | null) => {
    error.textContent = message ?? '';
    error.hidden = !message;
  };

  const identifier = field('login', {
    name: 'identifier', label: 'User number or username', autocomplete: 'username', attrs: { autocapitalize: 'none', spellcheck: 'false' },
  });
  const password = field('login', {
    name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password',
  });
  const loginSubmit = h('button', { type: 'submit', class: 'primary', testid: 'login-submit' }, 'Sign in');
  const loginForm = h('form', { class: 'auth-form', testid: 'login-form', 'aria-label': 'Sign in' }, identifier.row, password.row, loginSubmit);

  const up = field('register', {
    name: 'up', label: 'User number', autocomplete: 'username', hint: 'Your UP number, e.g. 201904321.', attrs: { inputmode: 'numeric', maxlength: 32, pattern: '[A-Za-z0-9_\\-]{1,32}' },
  });
  const username = field('register', {
    name: 'username', label: 'Username', autocomplete: 'nickname', attrs: { maxlength: 32, autocapitalize: 'none', spellcheck: 'false' },
  });
  const name = field('register', {
    name: 'name', label: 'Display name', autocomplete: 'name', attrs: { maxlength: 100 },
  });
  const newPassword = field('register', {
    name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: 'At least 8 characters.', attrs: { minlength: 8, maxlength: 128 },
  });
  const registerSubmit = h('button', { type: 'submit', class: 'primary', testid: 'register-submit' }, 'Create account');
  const registerForm = h(
    'form',
    {
      class: 'auth-form', testid: 'register-form', 'aria-label': 'Create an account', hidden: true,
    },
    up.row,
    username.row,
    name.row,
    newPassword.row,
    registerSubmit,
  );

  const loginTab = h('button', { type: 'button', class: 'tab', testid: 'tab-login' }, 'Sign in');
  const registerTab = h('button', { type: 'button', class: 'tab', testid: 'tab-register' }, 'Create account');
  const setMode = (next: Mode, focus: boolean) => {
    mode = next;
    loginForm.hidden = mode !== 'login';
    registerForm.hidden = mode !== 'register';
    loginTab.setAttribute('aria-pressed', String(mode === 'login'));
    registerTab.setAttribute('aria-pressed', String(mode === 'register'));
    showError(null);
    if (focus) (mode === 'login' ? identifier.input : up.input).focus();
  };
  loginTab.addEventListener('click', () => setMode('login', true));
  registerTab.addEventListener('click', () => setMode('register', true));

  const submitWith = async (button: HTMLButtonElement, action: () => Promise<Session>) => {
    showError(null);
    button.disabled = true;
    const label = button.textContent;
    button.textContent = 'Please wait…';
    try {
      onSession(await action());
    } catch (err) {
      showError(describeError(err));
      button.disabled = false;
      button.textContent = label;
    }
  };
  loginForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitWith(loginSubmit, () => api.login(loginRequest(identifier.input.value.trim(), password.input.value)));
  });
  registerForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitWith(registerSubmit, () => api.register({
      up: up.input.value.trim(),
      username: username.input.value.trim(),
      name: name.input.value.trim(),
      password: newPassword.input.value,
    }));
  });

  const card = h(
    'section',
    { class: 'auth-card', 'aria-labelledby': 'auth-title' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, icon('chat', 22)), h('h1', { id: 'auth-title', text: 'Group chat' })),
    h('p', { class: 'auth-lead', text: 'Sign in to talk with your groups in real time.' }),
    h('div', { class: 'tabs', role: 'group', 'aria-label': 'Account' }, loginTab, registerTab),
    notice ? h('p', {
      class: 'notice', role: 'status', testid: 'auth-notice', text: notice,
    }) : null,
    error,
    loginForm,
    registerForm,
    h(
      'p',
      { class: 'endpoints', testid: 'endpoints' },
      'Chat server ',
      h('code', { text: config.apiUrl }),
      ' · dispatcher ',
      h('code', { text: config.dispatcherUrl }),
    ),
  );
  root.replaceChildren(h('main', { class: 'auth-page' }, card));
  setMode('login', false);
  identifier.input.focus();
}
