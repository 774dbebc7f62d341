/**
 * The test client in Chromium against the real system: a data service, a
 * dispatcher and two chat servers as processes. Two people placed on different
 * chat servers talk live, scroll back through 300 messages, see markup as text,
 * and one of them survives the crash of their chat server. Writes
 * test-results/main-view.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Group } from '@chat/contract';
import { chromiumAvailable, launchBrowser } from '../support/browser';
import { builtClient, CLIENT_ROOT } from '../support/build';
import { serveStatic } from '../support/static-server';
import type { StaticServer } from '../support/static-server';
import {
  dataService, onlineOn, pairOnDifferentServers, scrollToBeginning, seedHistory, sendFromPage, shownSeqs,
  signIn, startSystem, waitForMessage,
} from './support';
import type { Placed, TestSystem } from './support';

const RESULTS = path.join(CLIENT_ROOT, 'test-results');
const XSS = '<img src=x onerror=alert(1)>';
const HISTORY = 300;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('client end to end: two people on two chat servers of the real system', function () {
  this.timeout(60000);
  let system: TestSystem | undefined;
  let site: StaticServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  /** Every alert/confirm/prompt any page opened. */
  const dialogs: string[] = [];
  let ana: Placed;
  let rui: Placed;
  let anaPage: Page;
  let ruiPage: Page;
  let historyTexts: Map<number, string>;

  before(async function () {
    this.timeout(120000);
    if (!chromiumAvailable()) this.skip();
    const [dir, started] = await Promise.all([
      builtClient(),
      // A 4 s heartbeat timeout leaves a crashed server's users away long enough to miss messages.
      startSystem({ chatServers: 2, label: 'client e2e', heartbeatTimeoutMs: 4000 }),
    ]);
    system = started;
    [ana, rui] = await pairOnDifferentServers(system, '20250');
    // Sign-in goes to Rui's server: the one that stays up.
    const config = { dispatcherUrl: system.dispatcherUrl, apiUrl: rui.url };
    site = await serveStatic(dir, `window.CHAT_CONFIG = ${JSON.stringify(config)};`);

    // The long history goes in before anyone signs in, straight through the data service.
    const group = await dataService(system, 'POST', '/group', {
      name: 'Long history', users: [rui.up], createdBy: ana.up,
    }) as Group;
    historyTexts = await seedHistory(system, group.id, [ana.up, rui.up], HISTORY);
    browser = await launchBrowser();
    await fs.mkdir(RESULTS, { recursive: true });
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await site?.close();
    await system?.close();
  });

  async function open(up: string): Promise<Page> {
    const { context, page } = await signIn(browser as Browser, (site as StaticServer).url, up);
    contexts.push(context);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    return page;
  }

  const openGroup = async (page: Page, name: string) => {
    await page.locator('[data-testid="group-item"]', { hasText: name }).click();
    await page.getByTestId('conversation-title').getByText(name).waitFor();
  };

  it('signs both in through the page, each on the chat server the dispatcher chose for them', async () => {
    [anaPage, ruiPage] = await Promise.all([open(ana.up), open(rui.up)]);
    assert.notEqual(ana.serverId, rui.serverId);
    assert.equal(await anaPage.getByTestId('server-id').textContent(), ana.serverId);
    assert.equal(await ruiPage.getByTestId('server-id').textContent(), rui.serverId);
    assert.equal(await anaPage.getByTestId('server-url').textContent(), ana.url);
    assert.equal(await ruiPage.getByTestId('server-url').textContent(), rui.url);
  });

  it('creates a group and exchanges messages both ways, live, across the two servers', async () => {
    await anaPage.getByTestId('group-create-toggle').click();
    await anaPage.getByTestId('group-create-name').fill('Across servers');
    await anaPage.getByTestId('group-create-members').fill(rui.up);
    await anaPage.getByTestId('group-create-submit').click();
    await anaPage.getByTestId('conversation-title').getByText('Across servers').waitFor();
    // Rui's list gains the group without a reload.
    await openGroup(ruiPage, 'Across servers');

    assert.equal(await sendFromPage(anaPage, `Hello from ${ana.serverId}`), 1);
    await waitForMessage(ruiPage, ana.up, `Hello from ${ana.serverId}`);
    assert.equal(await sendFromPage(ruiPage, `Hi back from ${rui.serverId}`), 2);
    await waitForMessage(anaPage, rui.up, `Hi back from ${rui.serverId}`);
    assert.deepEqual(await shownSeqs(anaPage), [1, 2]);
    await anaPage.getByTestId('message-author').getByText(`User ${rui.up}`).waitFor();
    await ruiPage.getByTestId('message-author').getByText(`User ${ana.up}`).waitFor();
    assert.deepEqual(await shownSeqs(ruiPage), [1, 2]);
  });

  it('shows a message written as HTML as its text, running nothing', async () => {
    const seq = await sendFromPage(ruiPage, XSS);
    await waitForMessage(anaPage, rui.up, XSS);
    for (const page of [anaPage, ruiPage]) {
      const text = page.locator(`[data-testid="message-item"][data-seq="${seq}"] [data-testid="message-text"]`);
      assert.equal(await text.textContent(), XSS);
      assert.equal(await page.locator('[data-testid="message-list"] img').count(), 0, 'no <img> element was created');
    }
    // An <img src=x> would have failed to load by now and fired onerror.
    await anaPage.waitForTimeout(500);
    assert.deepEqual(dialogs, [], 'no dialog opened');
    await anaPage.screenshot({ path: path.join(RESULTS, 'main-view.png') });
    assert.ok((await fs.stat(path.join(RESULTS, 'main-view.png'))).size > 10000, 'the screenshot has content');
  });

  it('scrolls back through 300 messages to the first one, without a gap or a duplicate', async () => {
    await openGroup(anaPage, 'Long history');
    await anaPage.waitForFunction(() => document.querySelectorAll('[data-testid="message-item"]').length >= 50);
    const newest = await shownSeqs(anaPage);
    assert.deepEqual(newest, range(HISTORY - newest.length + 1, HISTORY), 'opens at the newest page');
    const moved = await scrollToBeginning(anaPage);
    assert.ok(moved < 40, `the message at the top stays in place as older pages go in above it (moved ${moved}px)`);
    assert.deepEqual(await shownSeqs(anaPage), range(1, HISTORY));
    const texts = await anaPage.getByTestId('message-text').allTextContents();
    assert.deepEqual(texts, range(1, HISTORY).map((seq) => historyTexts.get(seq)), 'each seq shows its own text');
    await anaPage.getByText('This is the beginning of the conversation.').waitFor();
  });

  it('after its chat server crashes, reconnects to another and shows what was sent meanwhile', async () => {
    if (!system) throw new Error('no system');
    await openGroup(anaPage, 'Across servers');
    const before = await shownSeqs(anaPage);
    const anaServer = system.chatServers.find((s) => s.id === ana.serverId);
    assert.ok(anaServer, `a chat server with id ${ana.serverId}`);
    await anaServer.kill();
    await anaPage.locator('[data-testid="connection-status"][data-state="reconnecting"]').waitFor();

    const away = ['Sent while you were away 1', 'Sent while you were away 2'];
    const seqs = [];
    for (const text of away) seqs.push(await sendFromPage(ruiPage, text));
    assert.notEqual(
      await anaPage.getByTestId('connection-status').getAttribute('data-state'),
      'online',
      'the messages went out while Ana was disconnected',
    );

    const serverNow = await onlineOn(anaPage, 20000);
    assert.equal(serverNow, rui.serverId, 'Ana is on the surviving server now');
    for (const text of away) await waitForMessage(anaPage, rui.up, text);
    const after = await shownSeqs(anaPage);
    assert.deepEqual(after, range(1, Math.max(...seqs)), 'every message once, in order, without a gap');
    assert.equal(after.length, before.length + away.length);

    // And the conversation goes on, both ways.
    await sendFromPage(anaPage, 'Back again');
    await waitForMessage(ruiPage, ana.up, 'Back again');
  });
});
