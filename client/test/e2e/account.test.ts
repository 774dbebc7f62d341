/**
 * The account page in Chromium against the real system (data service,
 * dispatcher, chat server as processes), with access tokens that live 4
 * seconds: the page renews them by itself and stays online; it edits the
 * profile, changes the password (signing the person's other browser out),
 * and signs out everywhere. Writes test-results/account-view.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, waitOnline } from '../support/browser';
import { builtClient, CLIENT_ROOT } from '../support/build';
import { serveStatic } from '../support/static-server';
import type { StaticServer } from '../support/static-server';
import { signIn, startSystem } from './support';
import type { TestSystem } from './support';

const RESULTS = path.join(CLIENT_ROOT, 'test-results');
const UP = '2026071';

const storedToken = (page: Page) => page.evaluate(
  () => (JSON.parse(sessionStorage.getItem('chat.session') ?? '{}') as { token?: string }).token ?? '',
);

describe('client end to end: the account page and transparent renewal', function () {
  this.timeout(90000);
  let system: TestSystem | undefined;
  let site: StaticServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async function () {
    this.timeout(120000);
    if (!chromiumAvailable()) this.skip();
    const [dir, started] = await Promise.all([
      builtClient(),
      startSystem({ chatServers: 1, label: 'client account e2e', env: { ACCESS_TOKEN_TTL: '4' } }),
    ]);
    system = started;
    await system.register(UP);
    site = await serveStatic(dir, `window.CHAT_CONFIG = ${JSON.stringify({ dispatcherUrl: system.dispatcherUrl, apiUrl: system.chatServers[0]!.url })};`);
    browser = await launchBrowser();
    await fs.mkdir(RESULTS, { recursive: true });
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await site?.close();
    await system?.close();
  });

  const open = async (): Promise<Page> => {
    const { context, page } = await signIn(browser as Browser, (site as StaticServer).url, UP);
    contexts.push(context);
    return page;
  };

  it('renews an expiring token by itself, edits the profile, changes the password and signs out everywhere', async () => {
    const page = await open();
    const first = await storedToken(page);
    // The 4-second token expires: the server ends the socket, the page renews and comes back online.
    await page.waitForFunction((old) => {
      const raw = sessionStorage.getItem('chat.session');
      return raw !== null && (JSON.parse(raw) as { token: string }).token !== old;
    }, first, { timeout: 20000 });
    await waitOnline(page, 15000);
    assert.equal(await page.getByTestId('auth-notice').count(), 0, 'still signed in');

    await page.getByTestId('account-toggle').click();
    await page.getByTestId('account-name').fill('Ana Account');
    await page.getByTestId('account-username').fill(`ana${UP}`);
    await page.getByTestId('account-profile-save').click();
    await page.getByTestId('account-profile-note').filter({ hasText: 'Profile saved.' }).waitFor();
    assert.equal(await page.getByTestId('me-name').textContent(), 'Ana Account');
    assert.match(await page.getByTestId('me-up').textContent() ?? '', new RegExp(`@ana${UP}`));

    const other = await open();
    await page.getByTestId('account-old-password').fill('not my password');
    await page.getByTestId('account-new-password').fill('a new password');
    await page.getByTestId('account-password-save').click();
    await page.locator('[data-testid="account-password-note"].form-error').waitFor();

    await page.getByTestId('account-old-password').fill('correct horse battery');
    await page.getByTestId('account-new-password').fill('a new password');
    await page.getByTestId('account-password-save').click();
    await page.getByTestId('account-password-note').filter({ hasText: 'Password changed' }).waitFor();
    await other.getByTestId('login-form').waitFor({ timeout: 15000 });
    await page.screenshot({ path: path.join(RESULTS, 'account-view.png') });
    await waitOnline(page, 15000);

    await page.getByTestId('account-sign-out-everywhere').click();
    await page.getByTestId('login-form').waitFor();
    assert.match(await page.getByTestId('auth-notice').textContent() ?? '', /signed out everywhere/);

    // The new password signs in; the old one does not.
    await page.getByTestId('login-identifier').fill(UP);
    await page.getByTestId('login-password').fill('a new password');
    await page.getByTestId('login-password').press('Enter');
    await waitOnline(page, 15000);
  });
});
