/**
 * Search in the test client, in Chromium against the real system (data
 * service on the test database, dispatcher, a chat server as processes): a
 * person searches without accents, sees only their groups' messages with the
 * matches marked (markup shown as text), jumps from a result deep in a long
 * history to its place, and limits a search to the open group. Writes
 * test-results/search.png and test-results/search-this-group.png.
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
  dataService, PASSWORD, shownSeqs, signIn, startSystem,
} from './support';
import type { TestSystem } from './support';

const RESULTS = path.join(CLIENT_ROOT, 'test-results');
const HISTORY = 300;
/** Where the message to find sits in the long history: far above the newest page. */
const TARGET = 40;
const TARGET_TEXT = 'Reunião de orçamento na sexta-feira';
const XSS = '<img src=x onerror=alert(1)> orçamento aprovado';

describe('client end to end: search and jump to a message', function () {
  this.timeout(60000);
  let system: TestSystem | undefined;
  let site: StaticServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const dialogs: string[] = [];
  let history: Group;
  let secret: Group;
  let budget: Group;

  before(async function () {
    this.timeout(120000);
    if (!chromiumAvailable()) this.skip();
    const [dir, started] = await Promise.all([
      builtClient(),
      startSystem({ chatServers: 1, label: 'client search e2e' }),
    ]);
    system = started;
    const ana = await system.register('2026100', PASSWORD);
    const rui = await system.register('2026101', PASSWORD);
    const outsider = await system.register('2026102', PASSWORD);
    const api = await system.locate(rui.token);
    site = await serveStatic(dir, `window.CHAT_CONFIG = ${JSON.stringify({ dispatcherUrl: system.dispatcherUrl, apiUrl: api.url })};`);

    history = await dataService(system, 'POST', '/group', {
      name: 'Long history', users: [rui.up], createdBy: ana.up,
    }) as Group;
    // Messages 1…HISTORY in order, the one to find at TARGET, then one written as markup.
    const room = history.id;
    for (let start = 1; start <= HISTORY; start += 100) {
      const messages = Array.from({ length: Math.min(100, HISTORY - start + 1) }, (_, i) => start + i).map((seq) => ({
        group: room,
        from: seq % 2 === 0 ? ana.up : rui.up,
        message: seq === TARGET ? TARGET_TEXT : `History message ${seq}`,
        clientId: `seed-${seq}`,
      }));
      const { results } = await dataService(system, 'POST', '/message/batch', { messages }) as { results: { ok: boolean }[] };
      assert.ok(results.every((r) => r.ok));
    }
    await dataService(system, 'POST', '/message', {
      group: history.id, from: ana.up, message: XSS, clientId: 'markup',
    });
    budget = await dataService(system, 'POST', '/group', {
      name: 'Budget talk', users: [rui.up], createdBy: ana.up,
    }) as Group;
    await dataService(system, 'POST', '/message', {
      group: budget.id, from: ana.up, message: 'O orçamento do grupo', clientId: 'budget',
    });
    secret = await dataService(system, 'POST', '/group', {
      name: 'Not Rui’s', users: [], createdBy: outsider.up,
    }) as Group;
    await dataService(system, 'POST', '/message', {
      group: secret.id, from: outsider.up, message: 'orçamento secreto', clientId: 'secret',
    });

    browser = await launchBrowser();
    await fs.mkdir(RESULTS, { recursive: true });
    ({ context, page } = await signIn(browser, site.url, rui.up));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await site?.close();
    await system?.close();
  });

  it('finds messages without accents, only in the person\'s groups, with the matches marked', async () => {
    await page.getByTestId('search-input').fill('ORCAMENTO');
    await page.getByTestId('search-submit').click();
    await page.getByTestId('search-result').first().waitFor();
    const results = page.getByTestId('search-result');
    assert.equal(await results.count(), 3);
    const groups = await page.getByTestId('search-group').allTextContents();
    assert.deepEqual(groups.sort(), ['Budget talk', 'Long history', 'Long history']);
    const snippets = await page.getByTestId('search-snippet').allTextContents();
    assert.deepEqual(snippets.sort(), [XSS, TARGET_TEXT, 'O orçamento do grupo'].sort(), 'the markup is shown as text');
    const marks = await page.locator('[data-testid="search-snippet"] mark').allTextContents();
    assert.deepEqual(marks.sort(), ['orçamento', 'orçamento', 'orçamento']);
    assert.equal(await page.locator('[data-testid="search-snippet"] img').count(), 0);
    assert.match(await page.getByTestId('search-summary').textContent() ?? '', /3 results for “ORCAMENTO”/);
    assert.ok(await page.getByTestId('search-this-group').isDisabled(), 'no group is open to limit the search to');
    assert.deepEqual(dialogs, []);
  });

  it('jumps from a result deep in the history to the message, loaded around it, scrolled to and highlighted', async () => {
    await page.locator(`[data-testid="search-result"][data-seq="${TARGET}"]`).click();
    const target = page.locator(`[data-testid="message-item"][data-seq="${TARGET}"]`);
    await target.waitFor();
    await page.locator(`[data-testid="message-item"][data-seq="${TARGET}"][data-found]`).waitFor();
    assert.equal(await page.getByTestId('conversation-title').textContent(), 'Long history');
    assert.match(await target.textContent() ?? '', /Reunião de orçamento/);
    // It is on screen, inside the scrolling conversation.
    const [box, view] = await Promise.all([target.boundingBox(), page.getByTestId('message-scroll').boundingBox()]);
    assert.ok(box && view && box.y >= view.y && box.y + box.height <= view.y + view.height, 'the message is in view');
    // The pages around it are held, without a gap up to the newest message and without a duplicate.
    const seqs = await shownSeqs(page);
    assert.equal(new Set(seqs).size, seqs.length);
    assert.ok(seqs.includes(TARGET - 1) && seqs.includes(TARGET + 1), 'its neighbours are loaded');
    const from = seqs.indexOf(TARGET);
    assert.deepEqual(seqs.slice(from), Array.from({ length: seqs.length - from }, (_, i) => TARGET + i));
    assert.equal(seqs[seqs.length - 1], HISTORY + 1);
    await page.screenshot({ path: path.join(RESULTS, 'search.png') });
    assert.ok((await fs.stat(path.join(RESULTS, 'search.png'))).size > 10000, 'the screenshot has content');
    assert.deepEqual(dialogs, []);
  });

  it('limits a search to the open group when "This group only" is checked', async () => {
    // Submits and waits for the answer: the summary is emptied first, and written when the results are shown.
    const search = async () => {
      const summary = page.getByTestId('search-summary');
      await summary.evaluate((el) => { el.textContent = ''; });
      await page.getByTestId('search-submit').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="search-summary"]')?.textContent !== '');
      return page.getByTestId('search-group').allTextContents();
    };
    await page.getByTestId('search-input').fill('orcamento');
    await page.getByTestId('search-this-group').check();
    // The jump left "Long history" open.
    assert.deepEqual(await search(), ['Long history', 'Long history']);
    assert.match(await page.getByTestId('search-summary').textContent() ?? '', /2 results for “orcamento” in Long history/);
    assert.deepEqual(
      (await page.getByTestId('search-result').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.room))),
      [history.id, history.id],
    );

    await page.locator(`[data-testid="group-item"][data-group-id="${budget.id}"]`).click();
    await page.getByTestId('conversation-title').filter({ hasText: 'Budget talk' }).waitFor();
    assert.deepEqual(await search(), ['Budget talk']);
    assert.match(await page.getByTestId('search-snippet').textContent() ?? '', /orçamento do grupo/);
    await page.screenshot({ path: path.join(RESULTS, 'search-this-group.png') });

    await page.getByTestId('search-this-group').uncheck();
    assert.deepEqual((await search()).sort(), ['Budget talk', 'Long history', 'Long history']);
    assert.deepEqual(dialogs, []);
  });
});
