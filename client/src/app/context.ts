import type { ChatApi } from '../api/chat-api';
import type { ChatSocket } from '../net/connection';
import type { ChatStore } from './store';

export type ToastKind = 'error' | 'info';

/** What the app's parts share: the state, the REST API and the socket when it is up. */
export interface AppContext {
  store: ChatStore;
  api: ChatApi;
  liveSocket(): ChatSocket | null;
  toast(message: string, kind?: ToastKind): void;
}
