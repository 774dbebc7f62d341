/**
 * Attachments in the test client, in Chromium against the real system (a data
 * service, a dispatcher and two chat servers as processes): a file picked and
 * a file dropped on the composer upload with a progress bar and go with one
 * message; the other member sees the image inline as a thumbnail and the other
 * file as a chip with name and size. Writes test-results/attachments.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser } from '../support/browser';
import { builtClient, CLIENT_ROOT } from '../support/build';
import { serveStatic } from '../support/static-server';
import type { StaticServer } from '../support/static-server';
import {
  pairOnDifferentServers, signIn, startSystem, waitForMessage,
} from './support';
import type { Placed, TestSystem } from './support';

const RESULTS = path.join(CLIENT_ROOT, 'test-results');

describe('client end to end: attachments', function () {
  this.timeout(60000);
  let system: TestSystem | undefined;
  let site: StaticServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let ana: Placed;
  let rui: Placed;

  before(async function () {
    this.timeout(120000);
    if (!chromiumAvailable()) this.skip();
    const dir = await builtClient();
    system = await startSystem({ chatServers: 2, label: 'client files' });
    [ana, rui] = await pairOnDifferentServers(system, '20260');
    site = await serveStatic(dir, `window.CHAT_CONFIG = ${JSON.stringify({ dispatcherUrl: system.dispatcherUrl, apiUrl: rui.url })};`);
    browser = await launchBrowser();
    await fs.mkdir(RESULTS, { recursive: true });
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await site?.close();
    await system?.close();
  });

  const open = async (up: string): Promise<Page> => {
    const { context, page } = await signIn(browser as Browser, (site as StaticServer).url, up);
    contexts.push(context);
    return page;
  };

  it('uploads a picked image and a dropped file with progress, and shows them to the other member', async () => {
    const [anaPage, ruiPage] = await Promise.all([open(ana.up), open(rui.up)]);
    await anaPage.getByTestId('group-create-toggle').click();
    await anaPage.getByTestId('group-create-name').fill('Holiday');
    await anaPage.getByTestId('group-create-members').fill(rui.up);
    await anaPage.getByTestId('group-create-submit').click();
    await anaPage.getByTestId('conversation-title').getByText('Holiday').waitFor();
    await ruiPage.locator('[data-testid="group-item"]', { hasText: 'Holiday' }).click();

    const photo = await sharp({
      create: {
        width: 900, height: 600, channels: 3, background: '#2a7ab0',
      },
    }).composite([{
      input: await sharp({
        create: {
          width: 300, height: 200, channels: 3, background: '#f0c020',
        },
      }).png().toBuffer(),
      top: 200,
      left: 300,
    }]).jpeg().toBuffer();
    // Picked through the paperclip's file input.
    await anaPage.getByTestId('attachment-input').setInputFiles({ name: 'beach.jpg', mimeType: 'image/jpeg', buffer: photo });
    // Dropped on the composer.
    await anaPage.getByTestId('composer').evaluate((composer) => {
      const data = new DataTransfer();
      data.items.add(new File(['day one: sun\nday two: rain\n'.repeat(200)], 'notes.txt', { type: 'text/plain' }));
      composer.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      composer.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    assert.equal(await anaPage.getByTestId('upload-progress').count(), 2, 'each file shows a progress bar');
    await anaPage.locator('[data-testid="upload"][data-state="ready"]').nth(1).waitFor();
    const progress = await anaPage.getByTestId('upload-progress').evaluateAll((bars) => bars.map((b) => (b as HTMLProgressElement).value));
    assert.deepEqual(progress, [1, 1]);

    await anaPage.getByTestId('composer-input').fill('Photos from the trip');
    await anaPage.getByTestId('composer-send').click();
    await waitForMessage(ruiPage, ana.up, 'Photos from the trip');
    assert.equal(await anaPage.getByTestId('attachment-tray').isHidden(), true, 'the tray empties once sent');

    const image = ruiPage.getByTestId('attachment-image');
    await ruiPage.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid="attachment-image"]');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    assert.deepEqual(
      await image.evaluate((img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]),
      [320, 213],
      'the thumbnail, not the full image',
    );
    const chip = ruiPage.getByTestId('attachment-chip');
    assert.match(await chip.textContent() ?? '', /notes\.txt\s*5\.\d KB/);

    // A click on the thumbnail opens the full image in a new tab.
    const [full] = await Promise.all([
      ruiPage.context().waitForEvent('page'),
      ruiPage.locator('.attachment-image').click(),
    ]);
    await full.waitForLoadState();
    assert.deepEqual(
      await full.evaluate(() => {
        const img = document.querySelector('img');
        return img ? [img.naturalWidth, img.naturalHeight] : null;
      }),
      [900, 600],
    );
    await full.close();
    await ruiPage.screenshot({ path: path.join(RESULTS, 'attachments.png') });
  });
});
