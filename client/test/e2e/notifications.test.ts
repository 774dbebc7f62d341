/**
 * Notifications in the test client against the real system (data service,
 * dispatcher, chat server as processes, NOTIFY_URL pointing at a real HTTP
 * receiver): Rui is offline while Ana writes to their group; the receiver gets
 * Rui's signed digest; when Rui signs in, the bell shows the unread count,
 * the list shows the messages and the mention, a click opens the group and
 * marks it read, and the group's notification level is saved on the server.
 * Writes test-results/notifications.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Group, NotificationPreferences } from '@chat/contract';
import { chromiumAvailable, launchBrowser } from '../support/browser';
import { builtClient, CLIENT_ROOT } from '../support/build';
import { serveStatic } from '../support/static-server';
import type { StaticServer } from '../support/static-server';
import {
  dataService, sendFromPage, signIn, startSystem,
} from './support';
import type { TestSystem } from './support';
// eslint-disable-next-line import/no-relative-packages -- the receiver is the data service's test support
import { Receiver } from '../../../mongo-chat-server/test/notify-receiver';

type Account = Awaited<ReturnType<TestSystem['register']>>;

const RESULTS = path.join(CLIENT_ROOT, 'test-results');
const SECRET = 'browser-test-notify-secret';

describe('client end to end: notifications', function () {
  this.timeout(60000);
  let system: TestSystem | undefined;
  let site: StaticServer | undefined;
  let browser: Browser | undefined;
  let receiver: Receiver | undefined;
  const contexts: BrowserContext[] = [];
  let ana: Account;
  let rui: Account;
  let group: Group;

  before(async function () {
    this.timeout(120000);
    if (!chromiumAvailable()) this.skip();
    receiver = await new Receiver(SECRET).start();
    const [dir, started] = await Promise.all([
      builtClient(),
      startSystem({
        chatServers: 1,
        label: 'client notify',
        env: { NOTIFY_URL: receiver.url, NOTIFY_SECRET: SECRET, NOTIFY_DIGEST_S: '1' },
      }),
    ]);
    system = started;
    ana = await system.register('3030401');
    rui = await system.register('3030402');
    site = await serveStatic(dir, `window.CHAT_CONFIG = ${JSON.stringify({ dispatcherUrl: system.dispatcherUrl, apiUrl: system.chatServers[0]?.url })};`);
    group = await dataService(system, 'POST', '/group', { name: 'Weekend plans', users: [rui.up], createdBy: ana.up }) as Group;
    browser = await launchBrowser();
    await fs.mkdir(RESULTS, { recursive: true });
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await site?.close();
    await system?.close();
    await receiver?.stop();
  });

  it('tells an offline member through the webhook and the bell; a click opens the group; the level is saved', async () => {
    const anaSide = await signIn(browser as Browser, (site as StaticServer).url, ana.up);
    contexts.push(anaSide.context);
    await anaSide.page.getByTestId('group-item').filter({ hasText: 'Weekend plans' }).click();
    await sendFromPage(anaSide.page, 'Hiking on Saturday?');
    await sendFromPage(anaSide.page, `@user${rui.up} can you bring the map?`);

    // Rui has never been online: the notifications component gets their digest, signed.
    const deliveredToRui = () => (receiver as Receiver).requests
      .filter((r) => r.digest.up === rui.up && r.status === 200);
    const deadline = Date.now() + 20000;
    while (deliveredToRui().flatMap((r) => r.digest.items).length < 2) {
      if (Date.now() > deadline) throw new Error('Rui\'s notifications never reached the receiver');
      await new Promise((r) => { setTimeout(r, 100); });
    }
    assert.ok(deliveredToRui().every((r) => r.signed), 'signed with NOTIFY_SECRET');
    const delivered = deliveredToRui().flatMap((r) => r.digest.items);
    assert.deepEqual(delivered.map((i) => i.reason).sort(), ['mention', 'message']);

    const ruiSide = await signIn(browser as Browser, (site as StaticServer).url, rui.up);
    contexts.push(ruiSide.context);
    const { page } = ruiSide;
    const badge = page.getByTestId('notification-badge');
    await page.waitForFunction(() => document.querySelector('[data-testid="notification-badge"]')?.textContent === '2');
    assert.equal(await badge.isVisible(), true);
    await page.getByTestId('notification-bell').click();
    const items = page.getByTestId('notification-item');
    await items.nth(1).waitFor();
    assert.deepEqual(await items.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.reason)), ['mention', 'message']);
    assert.match(await items.first().textContent() ?? '', /Weekend plans.*Mentioned you.*can you bring the map\?/);
    await page.screenshot({ path: path.join(RESULTS, 'notifications.png') });

    // Opening the older one marks it read; the mention stays unread.
    await items.nth(1).click();
    await page.getByTestId('conversation-title').filter({ hasText: 'Weekend plans' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="notification-badge"]')?.textContent === '1');

    // The group's level, from its header, kept by the server.
    const level = page.getByTestId('notification-level');
    assert.equal(await level.inputValue(), 'all');
    await level.selectOption('mentions');
    const prefs = await (async () => {
      const until = Date.now() + 10000;
      for (;;) {
        const res = await fetch(`${system?.chatServers[0]?.url}/chat/notifications/preferences`, { headers: { authorization: `Bearer ${rui.token}` } });
        const body = await res.json() as NotificationPreferences;
        if (body.groups.length > 0 || Date.now() > until) return body;
        await new Promise((r) => { setTimeout(r, 100); });
      }
    })();
    assert.deepEqual(prefs.groups, [{ group: group.id, level: 'mentions' }]);
    await page.screenshot({ path: path.join(RESULTS, 'notification-level.png') });

    await page.getByTestId('notification-bell').click();
    await page.getByTestId('notifications-mark-read').click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="notification-badge"]')?.hidden === true);
  });
});
