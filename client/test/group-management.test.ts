/**
 * Managing groups through the page, in headless Chromium against the in-memory
 * stand-in chat server (test/support/stand-in-backend.ts): creating an account
 * with the form, presence dots, renaming, adding and removing members, leaving.
 * Each step is checked on every page that should notice it, through the live
 * socket events (no reload).
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { Group } from '@chat/contract';
import { chromiumAvailable, logIn, waitOnline } from './support/browser';
import { startStandInSite } from './support/stand-in-site';
import type { StandInSite } from './support/stand-in-site';

const PASSWORD = 'password-123';

/** Matches a whole text, not a part of it. */
const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** Waits until `locator` (one element) shows exactly `text`. */
const showsText = (locator: Locator, text: string) => locator.filter({ hasText: exactly(text) }).waitFor();

describe('client: managing groups in a browser (stand-in chat server)', function () {
  this.timeout(60000);
  let env: StandInSite | undefined;
  let group: Group;

  before(async function () {
    if (!chromiumAvailable()) this.skip();
    env = await startStandInSite();
    const { backend } = env;
    backend.register('1001', 'Ana Silva');
    backend.register('1002', 'Rui Costa');
    backend.register('1003', 'Eva Lopes');
    group = backend.createGroup('Project team', ['1002'], '1001');
  });

  after(async () => { await env?.close(); });

  const openPage = (): Promise<Page> => (env as StandInSite).openPage();

  /** Closes a person's page: its socket goes with it. */
  async function closePage(page: Page): Promise<void> {
    await page.context().close();
  }

  async function signIn(up: string): Promise<Page> {
    const page = await openPage();
    await logIn(page, up, PASSWORD);
    return page;
  }

  const item = (page: Page) => page.locator(`[data-testid="group-item"][data-group-id="${group.id}"]`);
  const member = (page: Page, up: string) => page.locator(`[data-testid="member-item"][data-up="${up}"]`);
  const dot = (page: Page, up: string) => member(page, up).getByTestId('presence-dot');
  const dotShows = (page: Page, up: string, isOnline: boolean) => member(page, up)
    .locator(`[data-testid="presence-dot"][data-online="${isOnline}"]`).waitFor();

  /** Opens the group from the list, with its details panel. */
  async function openWithDetails(page: Page): Promise<void> {
    await item(page).click();
    await showsText(page.getByTestId('conversation-title'), await item(page).getByTestId('group-name').innerText());
    await page.getByTestId('members-toggle').click();
    await page.getByTestId('members-panel').waitFor();
  }

  describe('creating an account', () => {
    it('registers through the form and is signed in as the new person, with an account that signs in again', async () => {
      const page = await openPage();
      await page.getByTestId('tab-register').click();
      await page.getByTestId('register-up').fill('2001');
      await page.getByTestId('register-username').fill('marta.reis');
      await page.getByTestId('register-name').fill('Marta Reis');
      await page.getByTestId('register-password').fill('a-long-password');
      await page.getByTestId('register-submit').click();
      await waitOnline(page);
      assert.equal(await page.getByTestId('me-name').textContent(), 'Marta Reis');
      assert.equal(await page.getByTestId('me-up').textContent(), '@marta.reis · 2001');
      assert.equal(await page.getByTestId('group-list-empty').isVisible(), true);

      await page.getByTestId('sign-out').click();
      await logIn(page, 'marta.reis', 'a-long-password');
      assert.equal(await page.getByTestId('me-up').textContent(), '@marta.reis · 2001');
      await closePage(page);
    });

    it('refuses a user number that is taken, in plain words, and stays on the form', async () => {
      const page = await openPage();
      await page.getByTestId('tab-register').click();
      await page.getByTestId('register-up').fill('2001');
      await page.getByTestId('register-username').fill('someone.else');
      await page.getByTestId('register-name').fill('Someone Else');
      await page.getByTestId('register-password').fill('another-password');
      await page.getByTestId('register-submit').click();
      await showsText(page.getByTestId('auth-error'), 'That is already taken. That user number is taken.');
      assert.equal(await page.getByTestId('register-form').isVisible(), true);
      assert.equal(await page.getByTestId('register-submit').isEnabled(), true);
      assert.equal(await page.getByTestId('chat-view').count(), 0);
      await closePage(page);
    });
  });

  describe('a group and its members', () => {
    let ana: Page;
    let rui: Page;
    let eva: Page;

    it('turns the other member’s presence dot online as their page connects and offline when it closes', async () => {
      ana = await signIn('1001');
      await openWithDetails(ana);
      // The member list has loaded (names, not bare user numbers) before Rui connects.
      await member(ana, '1002').filter({ hasText: 'Rui Costa' }).waitFor();
      assert.equal(await dot(ana, '1002').getAttribute('data-online'), 'false');
      assert.equal(await member(ana, '1002').getByTestId('presence-text').textContent(), 'offline');
      assert.equal(await dot(ana, '1001').getAttribute('data-online'), 'true');
      assert.equal(await ana.getByTestId('members-title').textContent(), 'Members · 2 (1 online)');

      const ruiElsewhere = await signIn('1002');
      await dotShows(ana, '1002', true);
      assert.equal(await member(ana, '1002').getByTestId('presence-text').textContent(), 'online');
      assert.equal(await ana.getByTestId('members-title').textContent(), 'Members · 2 (2 online)');
      assert.equal(await ana.getByTestId('conversation-subtitle').textContent(), '2 members · 1 online');

      await closePage(ruiElsewhere);
      await dotShows(ana, '1002', false);
      assert.match(await member(ana, '1002').getByTestId('presence-text').textContent() ?? '', /^last seen /);
      assert.equal(await ana.getByTestId('members-title').textContent(), 'Members · 2 (1 online)');
      assert.equal(await ana.getByTestId('conversation-subtitle').textContent(), '2 members');
    });

    it('renames a group: the new name shows in the list and the header, and on the other member’s page', async () => {
      rui = await signIn('1002');
      await openWithDetails(rui);
      assert.equal(await item(rui).getByTestId('group-name').textContent(), 'Project team');
      assert.equal(await ana.getByTestId('group-rename-input').inputValue(), 'Project team');

      await ana.getByTestId('group-rename-input').fill('Launch crew');
      await ana.getByTestId('group-rename-submit').click();
      await showsText(item(ana).getByTestId('group-name'), 'Launch crew');
      await showsText(ana.getByTestId('conversation-title'), 'Launch crew');

      // Rui's page learns it from the `group updated` event: list, header and details panel.
      await showsText(item(rui).getByTestId('group-name'), 'Launch crew');
      await showsText(rui.getByTestId('conversation-title'), 'Launch crew');
      assert.equal(await rui.getByTestId('group-rename-input').inputValue(), 'Launch crew');
      assert.equal(await ana.getByTestId('members-error').isVisible(), false);
    });

    it('adds a member: the group appears on their page, and every open members panel lists them', async () => {
      eva = await signIn('1003');
      await eva.getByTestId('group-list-empty').waitFor();

      await ana.getByTestId('member-add-input').fill('9999');
      await ana.getByTestId('member-add-submit').click();
      await showsText(ana.getByTestId('members-error'), 'That was not accepted. Users: unknown user(s) 9999.');

      await ana.getByTestId('member-add-input').fill('1003');
      await ana.getByTestId('member-add-submit').click();
      await item(eva).waitFor();
      assert.equal(await item(eva).getByTestId('group-name').textContent(), 'Launch crew');
      assert.equal(await eva.getByTestId('group-list-empty').isVisible(), false);

      await member(ana, '1003').waitFor();
      await member(rui, '1003').waitFor();
      assert.equal(await dot(ana, '1003').getAttribute('data-online'), 'true');
      assert.equal(await ana.getByTestId('member-add-input').inputValue(), '');
      assert.equal(await ana.getByTestId('members-error').isVisible(), false);
      await showsText(ana.getByTestId('conversation-subtitle'), '3 members · 2 online');

      // Eva can open it: she is in its room now.
      await openWithDetails(eva);
      await member(eva, '1001').waitFor();
    });

    it('removes a member: their page loses the group, the others’ panels stop listing them', async () => {
      assert.equal(await rui.getByTestId('member-remove').count(), 0, 'only the creator may remove others');
      assert.equal(await ana.getByTestId('member-remove').count(), 2);

      await member(ana, '1003').getByTestId('member-remove').click();
      await item(eva).waitFor({ state: 'detached' });
      await eva.getByTestId('toast').filter({ hasText: 'You are no longer a member of “Launch crew”.' }).waitFor();
      assert.equal(await eva.getByTestId('no-conversation').isVisible(), true);
      assert.equal(await eva.getByTestId('group-list-empty').isVisible(), true);

      await member(ana, '1003').waitFor({ state: 'detached' });
      await member(rui, '1003').waitFor({ state: 'detached' });
      await showsText(ana.getByTestId('conversation-subtitle'), '2 members · 1 online');
      await showsText(rui.getByTestId('members-title'), 'Members · 2 (2 online)');
    });

    it('leaves a group after confirming: it disappears from the leaver’s list, and the others see them go', async () => {
      await rui.getByTestId('group-leave').click();
      await rui.getByText('Leave “Launch crew”? You will stop receiving its messages.').waitFor();
      await rui.getByTestId('group-leave-confirm').click();
      await item(rui).waitFor({ state: 'detached' });
      assert.equal(await rui.getByTestId('no-conversation').isVisible(), true);
      assert.equal(await rui.getByTestId('group-list-empty').isVisible(), true);
      assert.equal(await rui.getByTestId('toast').count(), 0, 'leaving is no news to the one who left');

      await member(ana, '1002').waitFor({ state: 'detached' });
      await showsText(ana.getByTestId('conversation-subtitle'), '1 member');
      await showsText(ana.getByTestId('members-title'), 'Members · 1 (1 online)');
      assert.equal(await item(ana).getByTestId('group-name').textContent(), 'Launch crew');
    });
  });
});
