/**
 * Group settings in Chromium against the real system (data service,
 * dispatcher, two chat servers as processes): role badges, and the controls
 * each role is given, change live on both people's pages as the owner
 * promotes, transfers ownership and leaves; an admin deletes another
 * member's message. Writes test-results/group-roles.png
 * (an admin's view), group-roles-owner.png (the owner's) and
 * group-roles-transfer.png (the owner asked to confirm a transfer).
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
  dataService, PASSWORD, pairOnDifferentServers, signIn, startSystem,
} from './support';
import type { Placed, TestSystem } from './support';

const RESULTS = path.join(CLIENT_ROOT, 'test-results');

describe('client end to end: group roles on two chat servers of the real system', function () {
  this.timeout(60000);
  let system: TestSystem | undefined;
  let site: StaticServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let ana: Placed;
  let rui: Placed;
  let evaUp: string;
  let group: Group;
  let anaPage: Page;
  let ruiPage: Page;

  before(async function () {
    this.timeout(120000);
    if (!chromiumAvailable()) this.skip();
    // One after the other: on a busy machine the build would slow the services' start past its bound.
    const dir = await builtClient();
    system = await startSystem({ chatServers: 2, label: 'client roles' });
    [ana, rui] = await pairOnDifferentServers(system, '20261');
    evaUp = (await system.register('202629', PASSWORD)).up;
    site = await serveStatic(dir, `window.CHAT_CONFIG = ${JSON.stringify({ dispatcherUrl: system.dispatcherUrl, apiUrl: ana.url })};`);
    group = await dataService(system, 'POST', '/group', { name: 'Roles crew', users: [rui.up, evaUp], createdBy: ana.up }) as Group;
    await dataService(system, 'POST', '/message', {
      group: group.id, from: evaUp, message: 'Eva wrote this', clientId: 'eva-1',
    });
    browser = await launchBrowser();
    await fs.mkdir(RESULTS, { recursive: true });
  });

  after(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await site?.close();
    await system?.close();
  });

  async function openSettings(up: string): Promise<Page> {
    const { context, page } = await signIn(browser as Browser, (site as StaticServer).url, up);
    contexts.push(context);
    await page.locator(`[data-testid="group-item"][data-group-id="${group.id}"]`).click();
    await page.getByTestId('conversation-title').getByText('Roles crew').waitFor();
    await page.getByTestId('members-toggle').click();
    await page.getByTestId('members-panel').waitFor();
    return page;
  }

  const member = (page: Page, up: string) => page.locator(`[data-testid="member-item"][data-up="${up}"]`);
  const hasRole = (page: Page, up: string, role: string) => (
    page.locator(`[data-testid="member-item"][data-up="${up}"][data-role="${role}"]`).waitFor());
  const panel = (page: Page) => page.getByTestId('members-panel');
  const visible = (page: Page, testid: string) => panel(page).getByTestId(testid).isVisible();
  const evasMessage = (page: Page) => page.locator(`[data-testid="message-item"][data-from="${evaUp}"]`);

  it('shows the owner every control, and a member only leaving', async () => {
    [anaPage, ruiPage] = await Promise.all([openSettings(ana.up), openSettings(rui.up)]);
    await hasRole(anaPage, ana.up, 'owner');
    assert.equal(await member(anaPage, ana.up).getByTestId('role-badge').textContent(), 'owner');
    assert.equal(await member(anaPage, rui.up).getByTestId('role-badge').count(), 0);
    assert.ok(await visible(anaPage, 'group-rename-form'));
    assert.ok(await visible(anaPage, 'member-add-form'));
    assert.ok(await visible(anaPage, 'group-delete'));
    assert.equal(await member(anaPage, rui.up).getByTestId('member-promote').count(), 1);
    assert.equal(await member(anaPage, rui.up).getByTestId('member-transfer').count(), 1);
    assert.equal(await member(anaPage, ana.up).getByTestId('member-promote').count(), 0);
    await anaPage.screenshot({ path: path.join(RESULTS, 'group-roles-owner.png') });

    await hasRole(ruiPage, ana.up, 'owner');
    assert.equal(await visible(ruiPage, 'group-rename-form'), false);
    assert.equal(await visible(ruiPage, 'member-add-form'), false);
    assert.equal(await panel(ruiPage).getByTestId('group-delete').count(), 0);
    assert.equal(await panel(ruiPage).getByTestId('member-remove').count(), 0);
    assert.equal(await panel(ruiPage).getByTestId('member-promote').count(), 0);
    assert.ok(await visible(ruiPage, 'group-leave'));

    // The owner may delete anyone's message; a member only his own.
    await evasMessage(anaPage).waitFor();
    await evasMessage(ruiPage).waitFor();
    assert.equal(await evasMessage(anaPage).getByTestId('message-delete').count(), 1);
    assert.equal(await evasMessage(ruiPage).getByTestId('message-delete').count(), 0);
  });

  it('promotes a member on the other server: his page gives him an admin\'s controls at once', async () => {
    await member(anaPage, rui.up).getByTestId('member-promote').click();
    await hasRole(anaPage, rui.up, 'admin');
    await hasRole(ruiPage, rui.up, 'admin');
    await panel(ruiPage).getByTestId('group-rename-form').waitFor();
    assert.ok(await visible(ruiPage, 'member-add-form'));
    // An admin manages members, not the owner, and neither transfers nor deletes.
    assert.equal(await member(ruiPage, evaUp).getByTestId('member-promote').count(), 1);
    assert.equal(await member(ruiPage, evaUp).getByTestId('member-remove').count(), 1);
    assert.equal(await member(ruiPage, ana.up).getByTestId('member-remove').count(), 0);
    assert.equal(await panel(ruiPage).getByTestId('member-transfer').count(), 0);
    assert.equal(await panel(ruiPage).getByTestId('group-delete').count(), 0);
    assert.equal(await member(anaPage, rui.up).getByTestId('member-demote').textContent(), 'Remove admin');
    await ruiPage.screenshot({ path: path.join(RESULTS, 'group-roles.png') });
    assert.ok((await fs.stat(path.join(RESULTS, 'group-roles.png'))).size > 10000, 'the screenshot has content');
  });

  it('lets the new admin delete another member\'s message: it is deleted on both pages', async () => {
    const message = evasMessage(ruiPage);
    await message.getByTestId('message-delete').waitFor({ state: 'attached' });
    await message.hover();
    await ruiPage.screenshot({ path: path.join(RESULTS, 'group-roles-delete.png') });
    await message.getByTestId('message-delete').click();
    await message.getByTestId('message-delete-confirm').click();
    for (const page of [ruiPage, anaPage]) {
      await evasMessage(page).getByTestId('message-deleted').waitFor();
      assert.equal(await evasMessage(page).getByTestId('message-text').count(), 0);
    }
    assert.equal(await ruiPage.getByTestId('toast').filter({ hasText: /not|fail|only/i }).count(), 0);
  });

  it('transfers ownership after confirming: the former owner becomes an admin on both pages', async () => {
    await member(anaPage, rui.up).getByTestId('member-transfer').click();
    await anaPage.screenshot({ path: path.join(RESULTS, 'group-roles-transfer.png') });
    await member(anaPage, rui.up).getByTestId('member-transfer-confirm').click();
    await hasRole(anaPage, rui.up, 'owner');
    await hasRole(anaPage, ana.up, 'admin');
    await hasRole(ruiPage, ana.up, 'admin');
    await panel(ruiPage).getByTestId('group-delete').waitFor();
    assert.equal(await panel(anaPage).getByTestId('group-delete').count(), 0);
    assert.equal(await member(ruiPage, ana.up).getByTestId('member-demote').count(), 1);
  });

  it('passes ownership to the admin when the owner leaves', async () => {
    await panel(ruiPage).getByTestId('group-leave').click();
    await panel(ruiPage).getByTestId('group-leave-confirm').click();
    await ruiPage.locator(`[data-testid="group-item"][data-group-id="${group.id}"]`).waitFor({ state: 'detached' });
    await hasRole(anaPage, ana.up, 'owner');
    await member(anaPage, rui.up).waitFor({ state: 'detached' });
    await panel(anaPage).getByTestId('group-delete').waitFor();
    assert.equal(await member(anaPage, evaUp).getByTestId('member-transfer').count(), 1);
  });
});
