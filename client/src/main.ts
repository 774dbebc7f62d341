/** Entry point: the sign-in page, or the chat once there is a session. */
import './styles.css';
import { ChatApi } from './api/chat-api';
import type { Session } from './api/chat-api';
import { ApiError } from './api/api-error';
import { ChatApp } from './app/chat-app';
import { clearSession, loadSession, saveSession } from './app/session-storage';
import { resolveConfig } from './config';
import { renderChat } from './ui/chat-view';
import { renderLogin } from './ui/login-view';
import { createToasts } from './ui/toasts';

declare global {
  interface Window { CHAT_CONFIG?: unknown }
}

const config = resolveConfig(window.CHAT_CONFIG, window.location.search);
const root = document.getElementById('app') as HTMLElement;

function showLogin(notice: string | null): void {
  document.title = 'Group chat';
  renderLogin(root, new ChatApi(config.apiUrl, config.dispatcherUrl), config, (session) => {
    saveSession(session);
    showChat(session);
  }, notice);
}

function showChat(session: Session): void {
  const toasts = createToasts();
  const api = new ChatApi(config.apiUrl, config.dispatcherUrl);
  // A renewed session survives a reload too.
  api.onRenewed = (tokens) => saveSession({ ...session, ...tokens });
  const app = new ChatApp(api, session, {
    toast: toasts.show,
    signedOut: (reason) => {
      clearSession();
      showLogin(reason);
    },
  });
  renderChat(root, app, toasts.element);
  app.start();
}

async function boot(): Promise<void> {
  const stored = loadSession();
  if (!stored) {
    showLogin(null);
    return;
  }
  try {
    const api = new ChatApi(config.apiUrl, config.dispatcherUrl);
    api.setToken(stored.token, stored.refreshToken);
    let renewed = {};
    api.onRenewed = (tokens) => { renewed = tokens; };
    showChat({ ...stored, user: await api.me(), ...renewed });
  } catch (err) {
    // The server being away is no reason to sign out: the chat reconnects by itself.
    if (err instanceof ApiError && err.code !== 'UNAUTHORIZED') showChat(stored);
    else {
      clearSession();
      showLogin('Your session has ended. Please sign in again.');
    }
  }
}

void boot();
