/**
 * The API docs page works under the services' Content-Security-Policy: in
 * headless Chromium, swagger-ui at /docs renders the document with no
 * resource refused and no script error. The dispatcher (in-memory store)
 * stands for every service: they share the kit's stack and headers.
 */
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
// The browser launcher lives in the client's test support, which has no package name to import by.
// eslint-disable-next-line import/no-relative-packages
import { chromiumAvailable, launchBrowser } from '../../client/test/support/browser';
import { removeLogDirs, startTestDispatcher } from './support';
import type { TestDispatcher } from './support';

describe('API docs under the security headers (headless Chromium)', function () {
  this.timeout(60000);
  let dispatcher: TestDispatcher;
  let browser: Browser;

  before(async function () {
    if (!chromiumAvailable()) this.skip();
    dispatcher = await startTestDispatcher(null);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await dispatcher?.close();
    removeLogDirs();
  });

  it('renders swagger-ui with nothing refused', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    const res = await page.goto(`${dispatcher.url}/docs/`);
    assert.match(res?.headers()['content-security-policy'] ?? '', /default-src 'self'/);
    await page.locator('.swagger-ui .info .title').waitFor();
    await page.locator('.swagger-ui .opblock').first().waitFor();
    assert.deepEqual(problems, []);
  });
});
