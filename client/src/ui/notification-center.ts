/**
 * Notifications in the test client (docs/notifications.md): the bell with
 * the unread badge and the list (messages that came while you were away,
 * mentions of you), and each group's notification level. The data lives on
 * the server (`/chat/notifications…`); this keeps the latest copy per app.
 */
import type {
  NotificationList, NotificationListItem, NotificationPreferences, NotifyLevel,
} from '@chat/contract';
import type { ChatApp } from '../app/chat-app';
import { describeError } from '../api/describe-error';
import { h, fill } from './dom';
import './notifications.css';

const LEVEL_LABELS: Record<NotifyLevel, string> = {
  all: 'All messages',
  mentions: 'Mentions and replies',
  muted: 'Muted',
};

const REFRESH_MS = 10000;

type Listener = () => void;

/** The latest notification list and preferences of one signed-in person. */
export class NotificationCenter {
  items: NotificationListItem[] = [];

  unread = 0;

  prefs: NotificationPreferences | null = null;

  private readonly listeners = new Set<Listener>();

  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly app: ChatApp) {}

  on(listener: Listener): void { this.listeners.add(listener); }

  private changed(): void { this.listeners.forEach((l) => l()); }

  start(): void {
    if (this.timer) return;
    void this.refresh();
    void this.loadPrefs();
    this.timer = setInterval(() => {
      if (document.visibilityState === 'visible') void this.refresh();
    }, REFRESH_MS);
  }

  async refresh(): Promise<void> {
    try {
      const list = await this.app.api.chatCall('GET', '/chat/notifications', { query: { limit: 50 } }) as NotificationList;
      this.items = list.items;
      this.unread = list.unread;
      this.changed();
    } catch {
      // The next refresh tries again; the badge keeps its last value.
    }
  }

  async loadPrefs(): Promise<void> {
    try {
      this.prefs = await this.app.api.chatCall('GET', '/chat/notifications/preferences') as NotificationPreferences;
      this.changed();
    } catch {
      // Shown with the default level until it loads.
    }
  }

  levelOf(group: string): NotifyLevel {
    return this.prefs?.groups.find((g) => g.group === group)?.level ?? this.prefs?.defaultLevel ?? 'all';
  }

  async setLevel(group: string, level: NotifyLevel): Promise<void> {
    try {
      this.prefs = await this.app.api.chatCall('PUT', '/chat/notifications/preferences', {
        body: { groups: [{ group, level }] },
      }) as NotificationPreferences;
      this.app.store.notify('groups');
      this.changed();
      this.app.store.notify('open');
    } catch (err) {
      this.changed();
      throw err;
    }
  }

  async markRead(upTo?: string): Promise<void> {
    const { unread } = await this.app.api.chatCall('POST', '/chat/notifications/read', {
      body: upTo ? { upTo } : {},
    }) as { unread: number };
    this.unread = unread;
    const isRead = (item: NotificationListItem) => upTo === undefined || item.messageId <= upTo;
    this.items = this.items.map((item) => (isRead(item) ? { ...item, read: true } : item));
    this.changed();
  }
}

const centers = new WeakMap<ChatApp, NotificationCenter>();

/** The one center of `app`, started on first use. */
export function notificationCenter(app: ChatApp): NotificationCenter {
  let center = centers.get(app);
  if (!center) {
    center = new NotificationCenter(app);
    centers.set(app, center);
    center.start();
  }
  return center;
}

const REASONS: Record<NotificationListItem['reason'], string> = {
  message: 'New message',
  mention: 'Mentioned you',
  reply: 'Replied to you',
};

const timeOf = (iso: string): string => new Date(iso).toLocaleString([], {
  month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
});

/** The bell with its unread badge; opens the list. */
export function createNotificationBell(app: ChatApp): HTMLElement {
  const center = notificationCenter(app);
  const badge = h('span', { class: 'notify-badge', testid: 'notification-badge', hidden: true });
  const button = h('button', {
    type: 'button',
    class: 'icon-button notify-bell',
    testid: 'notification-bell',
    'aria-haspopup': 'true',
    'aria-expanded': 'false',
    'aria-controls': 'notification-list',
    'aria-label': 'Notifications',
  }, h('span', { 'aria-hidden': 'true', class: 'notify-bell-glyph' }, '🔔'), badge);
  const list = h('ul', { class: 'notify-items', testid: 'notification-items' });
  const markAll = h('button', { type: 'button', class: 'link-button', testid: 'notifications-mark-read' }, 'Mark all read');
  const panel = h(
    'div',
    {
      class: 'notify-panel', testid: 'notification-list', id: 'notification-list', hidden: true, role: 'dialog', 'aria-label': 'Notifications',
    },
    h('div', { class: 'notify-panel-head' }, h('h3', {}, 'Notifications'), markAll),
    list,
  );
  const wrap = h('div', { class: 'notify' }, button, panel);
  const setOpen = (open: boolean) => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) void center.refresh();
  };

  const render = () => {
    badge.hidden = center.unread === 0;
    badge.textContent = center.unread > 99 ? '99+' : String(center.unread);
    button.setAttribute('aria-label', center.unread > 0 ? `Notifications, ${center.unread} unread` : 'Notifications');
    markAll.hidden = center.unread === 0;
    if (center.items.length === 0) {
      fill(list, h('li', { class: 'notify-empty', testid: 'notifications-empty' }, 'Nothing yet. Messages that arrive while you are away, and mentions of you, show up here.'));
      return;
    }
    fill(list, ...center.items.map((item) => h(
      'li',
      {},
      h(
        'button',
        {
          type: 'button',
          class: `notify-item${item.read ? '' : ' unread'}`,
          testid: 'notification-item',
          'data-reason': item.reason,
          on: {
            click: () => {
              setOpen(false);
              app.messages.open(item.group);
              void app.groups.loadMembers(item.group);
              center.markRead(item.messageId).catch((err: unknown) => app.toast(`Could not update notifications. ${describeError(err)}`));
            },
          },
        },
        h('span', { class: 'notify-item-head' }, h('strong', {}, item.groupName), h('span', { class: 'notify-reason' }, REASONS[item.reason])),
        h('span', { class: 'notify-excerpt' }, `${app.store.displayName(item.from)}: ${item.excerpt}`),
        h('span', { class: 'notify-time' }, timeOf(item.timestamp)),
      ),
    )));
  };
  button.addEventListener('click', () => setOpen(panel.hidden));
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      setOpen(false);
      button.focus();
    }
  });
  markAll.addEventListener('click', () => { void center.markRead().catch(() => undefined); });
  center.on(render);
  render();
  return wrap;
}

/** The open group's notification level, for its header. */
export function createGroupNotifySelect(app: ChatApp): HTMLElement {
  const center = notificationCenter(app);
  const select = h(
    'select',
    { class: 'notify-level', testid: 'notification-level', 'aria-label': 'Notifications for this group' },
    ...(Object.keys(LEVEL_LABELS) as NotifyLevel[]).map((level) => h('option', { value: level }, LEVEL_LABELS[level])),
  );
  const render = () => {
    const room = app.store.openGroup;
    if (room) select.value = center.levelOf(room);
  };
  select.addEventListener('change', () => {
    const room = app.store.openGroup;
    if (!room) return;
    select.disabled = true;
    center.setLevel(room, select.value as NotifyLevel)
      .catch((err: unknown) => app.toast(`Could not change notifications. ${describeError(err)}`))
      .finally(() => {
        select.disabled = false;
        render();
      });
  });
  center.on(render);
  app.store.on('open', render);
  render();
  return h('label', { class: 'notify-level-label' }, h('span', { class: 'visually-hidden' }, 'Notify me about'), select);
}
