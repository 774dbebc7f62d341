/**
 * The signed-in session survives a reload but not the tab: sessionStorage, so
 * two tabs can be two different people (handy for trying the chat alone).
 */
import type { Session } from '../api/chat-api';

const KEY = 'chat.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { token, user } = parsed as { token?: unknown; user?: unknown };
    if (typeof token !== 'string' || typeof user !== 'object' || user === null) return null;
    return parsed as Session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // Private mode without storage: the session just does not survive a reload.
  }
}

export function clearSession(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored, nothing to clear.
  }
}
