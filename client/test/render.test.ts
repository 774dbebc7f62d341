/**
 * The built page in headless Chromium, without a backend: the sign-in view
 * renders, is usable by keyboard, reports an unreachable server in plain
 * words, and fits a phone-width window. Writes test-results/login.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser } from './support/browser';
import { builtClient, CLIENT_ROOT } from './support/build';
import { serveStatic } from './support/static-server';
import type { StaticServer } from './support/static-server';

// Port 9 (discard) refuses connections at once: "the backend is down".
const DOWN = 'http://127.0.0.1:9';
const RESULTS = path.join(CLIENT_ROOT, 'test-results');

describe('client: the sign-in page in a browser', function () {
  this.timeout(60000);
  let withConfig: StaticServer | undefined;
  let withoutConfig: StaticServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async function () {
    if (!chromiumAvailable()) this.skip();
    const dir = await builtClient();
    const config = { dispatcherUrl: `${DOWN}/d`, apiUrl: DOWN };
    withConfig = await serveStatic(dir, `window.CHAT_CONFIG = ${JSON.stringify(config)};`);
    withoutConfig = await serveStatic(dir);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await withConfig?.close();
    await withoutConfig?.close();
  });

  beforeEach(async () => {
    page = await (browser as Browser).newPage({ viewport: { width: 1100, height: 760 } });
  });

  afterEach(async () => {
    await page.close();
  });

  const focusedTestId = () => page.evaluate(() => {
    const focused = document.activeElement as HTMLElement | null;
    return focused?.dataset.testid ?? null;
  });

  it('shows the sign-in form with labelled fields and the configured servers', async () => {
    await page.goto((withConfig as StaticServer).url);
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.getByLabel('User number or username').getAttribute('data-testid'), 'login-identifier');
    assert.equal(await page.getByTestId('login-form').getByLabel('Password').getAttribute('type'), 'password');
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).last().getAttribute('type'), 'submit');
    assert.equal(await page.getByTestId('register-form').isVisible(), false);
    const endpoints = await page.getByTestId('endpoints').textContent();
    assert.match(endpoints ?? '', /127\.0\.0\.1:9\/d/, 'window.CHAT_CONFIG from config.js is used');
  });

  it('falls back to the ?api= and ?dispatcher= parameters without a config.js', async () => {
    await page.goto(`${(withoutConfig as StaticServer).url}/?api=http://chat.example:4100/&dispatcher=http://disp.example:5100`);
    const endpoints = await page.getByTestId('endpoints').textContent();
    assert.match(endpoints ?? '', /http:\/\/chat\.example:4100 · dispatcher http:\/\/disp\.example:5100/);
  });

  it('can be used by keyboard: focus order, visible focus, Enter submits', async () => {
    await page.goto((withConfig as StaticServer).url);
    await page.getByTestId('login-form').waitFor();
    assert.equal(await focusedTestId(), 'login-identifier', 'the first field has focus on arrival');
    await page.keyboard.type('1001');
    await page.keyboard.press('Tab');
    assert.equal(await focusedTestId(), 'login-password');
    await page.keyboard.press('Tab');
    assert.equal(await focusedTestId(), 'login-submit');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused button shows a focus ring');

    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type('secret-password');
    await page.keyboard.press('Enter');
    const error = page.getByTestId('auth-error');
    await error.waitFor();
    assert.match(await error.textContent() ?? '', /Cannot reach the chat service/);
    assert.equal(await page.getByTestId('login-submit').isEnabled(), true, 'the person can try again');
  });

  it('switches to account creation with the keyboard', async () => {
    await page.goto((withConfig as StaticServer).url);
    await page.getByTestId('tab-register').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('register-form').waitFor();
    assert.equal(await page.getByTestId('login-form').isVisible(), false);
    assert.equal(await focusedTestId(), 'register-up');
    for (const label of ['User number', 'Username', 'Display name', 'Password']) {
      assert.equal(await page.getByTestId('register-form').getByLabel(label, { exact: true }).count(), 1, `a labelled "${label}" field`);
    }
    assert.equal(await page.getByTestId('tab-register').getAttribute('aria-pressed'), 'true');
  });

  it('fits a phone-width window without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto((withConfig as StaticServer).url);
    await page.getByTestId('login-form').waitFor();
    const layout = await page.evaluate(() => {
      const card = document.querySelector('.auth-card') as HTMLElement;
      const box = card.getBoundingClientRect();
      return {
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        left: box.left,
        right: box.right,
      };
    });
    assert.ok(layout.scrollWidth <= layout.clientWidth, `no horizontal scroll (${layout.scrollWidth} > ${layout.clientWidth})`);
    assert.ok(layout.left >= 0 && layout.right <= 360, 'the card is inside the window');
    await fs.mkdir(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, 'login.png'), fullPage: true });
    const stat = await fs.stat(path.join(RESULTS, 'login.png'));
    assert.ok(stat.size > 1000);
  });
});
