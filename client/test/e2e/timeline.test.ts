/**
 * The group timeline in the test client, in Chromium against the real system
 * (data service, dispatcher, two chat servers as processes), with two people
 * placed on different chat servers: edit in place, a deleted placeholder, a
 * reply quote that jumps to the original, reaction chips and the picker,
 * mention highlighting and the mention badge, and a member who was away
 * getting every change once after a reconnect. Writes test-results/timeline-*.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser } from '../support/browser';
import { builtClient, CLIENT_ROOT } from '../support/build';
import { serveStatic } from '../support/static-server';
import type { StaticServer } from '../support/static-server';
import {
  onlineOn, pairOnDifferentServers, sendFromPage, signIn, startSystem, waitForMessage,
} from './support';
import type { Placed, TestSystem } from './support';

const RESULTS = path.join(CLIENT_ROOT, 'test-results');

describe('client end to end: the group timeline on two chat servers of the real system', function () {
  this.timeout(60000);
  let system: TestSystem | undefined;
  let site: StaticServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let ana: Placed;
  let rui: Placed;
  let anaPage: Page;
  let ruiPage: Page;

  before(async function () {
    this.timeout(240000);
    if (!chromiumAvailable()) this.skip();
    // One after the other: the build runs in this process and, on a busy machine, starves its health checks.
    const dir = await builtClient();
    system = await startSystem({
      chatServers: 2,
      label: 'client timeline e2e',
      heartbeatTimeoutMs: 4000,
      // A person sends two dozen fillers in a few seconds here: above the per-user rate, which is not under test.
      env: { SOCKET_MESSAGE_POINTS: '200' },
    });
    [ana, rui] = await pairOnDifferentServers(system, '20260');
    const config = { dispatcherUrl: system.dispatcherUrl, apiUrl: rui.url };
    site = await serveStatic(dir, `window.CHAT_CONFIG = ${JSON.stringify(config)};`);
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
    return page;
  }

  const item = (page: Page, seq: number) => page.locator(`[data-testid="message-item"][data-seq="${seq}"]`);
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(RESULTS, name) });

  it('signs both in on different chat servers and starts a group', async () => {
    [anaPage, ruiPage] = await Promise.all([open(ana.up), open(rui.up)]);
    assert.notEqual(ana.serverId, rui.serverId);
    await anaPage.getByTestId('group-create-toggle').click();
    await anaPage.getByTestId('group-create-name').fill('Timeline');
    await anaPage.getByTestId('group-create-members').fill(rui.up);
    await anaPage.getByTestId('group-create-submit').click();
    await anaPage.getByTestId('conversation-title').getByText('Timeline').waitFor();
    await ruiPage.locator('[data-testid="group-item"]', { hasText: 'Timeline' }).click();
    assert.equal(await sendFromPage(anaPage, 'The plan is ready for review'), 1);
    await waitForMessage(ruiPage, ana.up, 'The plan is ready for review');
  });

  it('edits a message in place: Enter saves, both see the new text marked edited; Esc cancels', async () => {
    await item(anaPage, 1).hover();
    await item(anaPage, 1).getByTestId('message-edit').click();
    const input = anaPage.getByTestId('message-edit-input');
    await input.fill('The plan (v2) is ready for review');
    await input.press('Enter');
    for (const page of [anaPage, ruiPage]) {
      await item(page, 1).getByTestId('message-edited').waitFor();
      assert.equal(await item(page, 1).getByTestId('message-text').textContent(), 'The plan (v2) is ready for review');
      assert.match(await item(page, 1).getByTestId('message-edited').getAttribute('title') ?? '', /^Edited /);
    }
    // Esc leaves the text as it was.
    await item(anaPage, 1).hover();
    await item(anaPage, 1).getByTestId('message-edit').click();
    await anaPage.getByTestId('message-edit-input').fill('not this');
    await anaPage.getByTestId('message-edit-input').press('Escape');
    assert.equal(await item(anaPage, 1).getByTestId('message-text').textContent(), 'The plan (v2) is ready for review');
    // Someone else's message has no edit or delete action.
    assert.equal(await item(ruiPage, 1).getByTestId('message-edit').count(), 0);
    assert.equal(await item(ruiPage, 1).getByTestId('message-delete').count(), 0);
  });

  it('replies with a quote that jumps to the original, and mentions highlight, the mentioned most', async () => {
    for (let i = 2; i <= 25; i += 1) await sendFromPage(anaPage, `Filler ${i}`);
    await waitForMessage(ruiPage, ana.up, 'Filler 25');
    await item(ruiPage, 1).scrollIntoViewIfNeeded();
    await item(ruiPage, 1).hover();
    await item(ruiPage, 1).getByTestId('message-reply').click();
    await ruiPage.getByTestId('composer-reply').getByText('The plan (v2) is ready for review').waitFor();
    const input = ruiPage.getByTestId('composer-input');
    await input.fill('Looks good @');
    await ruiPage.locator(`[data-testid="mention-option"][data-up="${ana.up}"]`).waitFor();
    await input.press('Enter');
    assert.match(await input.inputValue(), /^Looks good @\S+ $/);
    await input.pressSequentially('ship it');
    await input.press('Enter');
    const reply = ruiPage.locator('[data-testid="message-item"][data-status="sent"]', { hasText: 'ship it' });
    await reply.waitFor();
    assert.equal(await ruiPage.getByTestId('composer-reply').isHidden(), true, 'the reply bar closes once sent');
    const replySeq = Number(await reply.getAttribute('data-seq'));

    const anaReply = item(anaPage, replySeq);
    await anaReply.getByTestId('reply-quote').waitFor();
    assert.match(await anaReply.getByTestId('reply-quote').textContent() ?? '', /The plan \(v2\) is ready for review/);
    await anaReply.locator('[data-testid="mention"][data-target="me"]').waitFor();
    assert.match(await anaReply.getAttribute('class') ?? '', /mentions-me/);
    await ruiPage.locator(`[data-testid="message-item"][data-seq="${replySeq}"] [data-testid="mention"][data-target="member"]`).waitFor();

    await anaReply.scrollIntoViewIfNeeded();
    await anaPage.mouse.move(0, 0);
    await shot(anaPage, 'timeline-reply-mention.png');
    await anaReply.getByTestId('reply-quote').click();
    await anaPage.locator('[data-testid="message-item"][data-seq="1"].jumped').waitFor();
    const inView = await item(anaPage, 1).evaluate((el) => {
      const box = el.getBoundingClientRect();
      const scroller = document.querySelector('[data-testid="message-scroll"]')?.getBoundingClientRect();
      return !!scroller && box.top >= scroller.top && box.bottom <= scroller.bottom;
    });
    assert.ok(inView, 'the original is scrolled into view');
    await shot(anaPage, 'timeline-reply-jumped.png');
  });

  it('shows reaction chips with counts, highlighted for the caller, toggled by a click, added from the picker', async () => {
    await item(ruiPage, 1).scrollIntoViewIfNeeded();
    await item(ruiPage, 1).hover();
    await item(ruiPage, 1).getByTestId('message-react').click();
    await ruiPage.locator('[data-testid="reaction-option"][data-emoji="👍"]').click();
    await item(anaPage, 1).scrollIntoViewIfNeeded();
    const anaChip = item(anaPage, 1).locator('[data-testid="reaction-chip"][data-emoji="👍"]');
    await anaChip.waitFor();
    assert.equal(await anaChip.getAttribute('aria-pressed'), 'false');
    await anaChip.click();
    await anaPage.locator('[data-testid="message-item"][data-seq="1"] [data-testid="reaction-chip"][data-emoji="👍"][aria-pressed="true"]').waitFor();
    const ruiChip = item(ruiPage, 1).locator('[data-testid="reaction-chip"][data-emoji="👍"]');
    await ruiPage.waitForFunction(() => document.querySelector('[data-seq="1"] [data-emoji="👍"] [data-testid="reaction-count"]')?.textContent === '2');
    assert.equal(await ruiChip.getAttribute('aria-pressed'), 'true');
    await item(anaPage, 1).hover();
    await item(anaPage, 1).getByTestId('message-react').click();
    await anaPage.locator('[data-testid="reaction-option"][data-emoji="🎉"]').click();
    await ruiPage.locator('[data-testid="message-item"][data-seq="1"] [data-testid="reaction-chip"][data-emoji="🎉"]').waitFor();
    // Taking one back.
    await ruiChip.click();
    await anaPage.waitForFunction(() => document.querySelector('[data-seq="1"] [data-emoji="👍"] [data-testid="reaction-count"]')?.textContent === '1');
    await anaPage.mouse.move(0, 0);
    await shot(anaPage, 'timeline-reactions.png');
  });

  it('deletes an own message after asking: a placeholder keeps its place, and the reply shows it deleted', async () => {
    await item(anaPage, 1).hover();
    await item(anaPage, 1).getByTestId('message-delete').click();
    await item(anaPage, 1).getByTestId('message-delete-confirm').click();
    for (const page of [anaPage, ruiPage]) {
      await item(page, 1).getByTestId('message-deleted').waitFor();
      assert.equal(await item(page, 1).getByTestId('message-text').count(), 0);
      assert.equal(await item(page, 1).getByTestId('reaction-chip').count(), 0);
      await page.locator('[data-testid="reply-quote"].deleted').first().waitFor();
    }
    const seqs = await anaPage.getByTestId('message-item').evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.seq)));
    assert.equal(seqs[0], 1, 'the placeholder stays first, in its place');
    await item(anaPage, 1).scrollIntoViewIfNeeded();
    await anaPage.mouse.move(0, 0);
    await shot(anaPage, 'timeline-deleted.png');
  });

  it('shows a mention badge on the group for a mention made elsewhere, cleared once read', async () => {
    await anaPage.getByTestId('group-create-toggle').click();
    await anaPage.getByTestId('group-create-name').fill('Elsewhere');
    await anaPage.getByTestId('group-create-members').fill(rui.up);
    await anaPage.getByTestId('group-create-submit').click();
    await anaPage.getByTestId('conversation-title').getByText('Elsewhere').waitFor();
    await ruiPage.locator('[data-testid="group-item"]', { hasText: 'Elsewhere' }).waitFor();
    // Ana looks at Elsewhere while Rui mentions her in Timeline.
    await sendFromPage(ruiPage, `@${ana.up} can you check the numbers?`);
    const timelineItem = anaPage.locator('[data-testid="group-item"]', { hasText: 'Timeline' });
    await timelineItem.getByTestId('group-mentions').waitFor();
    await shot(anaPage, 'timeline-mention-badge.png');
    await timelineItem.click();
    await timelineItem.getByTestId('group-mentions').waitFor({ state: 'detached' });
  });

  it('after its chat server crashes, the reconnected member gets every change once, in its latest state', async () => {
    if (!system) throw new Error('no system');
    const anaServer = system.chatServers.find((s) => s.id === ana.serverId);
    assert.ok(anaServer);
    const before = await anaPage.getByTestId('message-item').count();
    await anaServer.kill();
    await anaPage.locator('[data-testid="connection-status"][data-state="reconnecting"]').waitFor();
    // Meanwhile Rui edits, reacts, deletes and sends.
    const edited = await sendFromPage(ruiPage, 'Draft answer');
    await item(ruiPage, edited).hover();
    await item(ruiPage, edited).getByTestId('message-edit').click();
    await ruiPage.getByTestId('message-edit-input').fill('Final answer');
    await ruiPage.getByTestId('message-edit-input').press('Enter');
    await item(ruiPage, edited).getByTestId('message-edited').waitFor();
    await item(ruiPage, 2).scrollIntoViewIfNeeded();
    await item(ruiPage, 2).hover();
    await item(ruiPage, 2).getByTestId('message-react').click();
    await ruiPage.locator('[data-testid="reaction-option"][data-emoji="👀"]').click();
    await item(ruiPage, 2).locator('[data-testid="reaction-chip"][data-emoji="👀"]').waitFor();
    const gone = await sendFromPage(ruiPage, 'Sent by mistake');
    await item(ruiPage, gone).hover();
    await item(ruiPage, gone).getByTestId('message-delete').click();
    await item(ruiPage, gone).getByTestId('message-delete-confirm').click();
    await item(ruiPage, gone).getByTestId('message-deleted').waitFor();
    assert.notEqual(await anaPage.getByTestId('connection-status').getAttribute('data-state'), 'online');

    assert.equal(await onlineOn(anaPage, 20000), rui.serverId);
    await item(anaPage, edited).getByTestId('message-edited').waitFor();
    assert.equal(await item(anaPage, edited).getByTestId('message-text').textContent(), 'Final answer');
    await item(anaPage, gone).getByTestId('message-deleted').waitFor();
    await item(anaPage, 2).locator('[data-testid="reaction-chip"][data-emoji="👀"]').waitFor();
    const seqs = await anaPage.getByTestId('message-item').evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.seq)));
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'each message once, in order');
    assert.equal(seqs.length, before + 2);
  });
});
