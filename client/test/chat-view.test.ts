/**
 * The signed-in page in headless Chromium against an in-memory stand-in for a
 * chat server (test/support/stand-in-backend.ts, shaped by the contracts): the
 * flows and data-testids the end-to-end tests build on. Writes
 * test-results/chat-desktop.png, chat-phone.png and chat-phone-list.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { LIMITS, TIMELINE_LIMITS } from '@chat/contract';
import type { Group } from '@chat/contract';
import { chromiumAvailable, logIn } from './support/browser';
import { CLIENT_ROOT } from './support/build';
import type { StandIn } from './support/stand-in-backend';
import { startStandInSite } from './support/stand-in-site';
import type { StandInSite } from './support/stand-in-site';

const RESULTS = path.join(CLIENT_ROOT, 'test-results');
const XSS = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> & <b>not bold</b>';
const LONG = `${'x'.repeat(700)} see https://example.com/page`;

describe('client: the chat page in a browser (stand-in chat server)', function () {
  this.timeout(60000);
  let env: StandInSite | undefined;
  let group: Group;

  before(async function () {
    if (!chromiumAvailable()) this.skip();
    env = await startStandInSite();
    const { backend } = env;
    backend.register('1001', 'Ana Silva');
    backend.register('1002', 'Rui Costa');
    group = backend.createGroup('Project team', ['1002'], '1001');
    for (let i = 1; i <= 120; i += 1) {
      let text = `Message number ${i}`;
      if (i === 117) text = XSS;
      if (i === 118) text = LONG;
      backend.post(group.id, i % 3 === 0 ? '1001' : '1002', text);
    }
    await fs.mkdir(RESULTS, { recursive: true });
  });

  after(async () => { await env?.close(); });

  const stand = (): StandIn => (env as StandInSite).backend;

  async function signIn(up: string, viewport = { width: 1200, height: 800 }): Promise<Page> {
    const page = await (env as StandInSite).openPage(viewport);
    await logIn(page, up, 'password-123');
    return page;
  }

  const seqs = (page: Page) => page.getByTestId('message-item').evaluateAll(
    (items) => items.map((el) => Number((el as HTMLElement).dataset.seq)),
  );

  let ana: Page;
  let rui: Page;

  it('signs in, shows the chat server it is connected to and the groups with unread counts', async () => {
    ana = await signIn('1001');
    assert.equal(await ana.getByTestId('server-id').textContent(), 'stand-in-chat');
    assert.equal(await ana.getByTestId('server-url').textContent(), stand().url);
    assert.equal(await ana.getByTestId('me-up').textContent(), '@user1001 · 1001');
    await ana.getByTestId('group-item').first().waitFor();
    assert.equal(await ana.getByTestId('group-name').textContent(), 'Project team');
    assert.equal(await ana.getByTestId('group-unread').textContent(), '99+');
    assert.match(await ana.getByTestId('group-preview').textContent() ?? '', /^You: Message number 120$/);
  });

  it('opens a group at its newest messages, renders markup as text, and clears the unread count', async () => {
    await ana.getByTestId('group-item').click();
    await ana.waitForFunction(() => document.querySelectorAll('[data-testid="message-item"]').length === 50);
    const held = await seqs(ana);
    assert.deepEqual(held, Array.from({ length: 50 }, (_, i) => 71 + i));
    assert.equal(await ana.getByTestId('conversation-title').textContent(), 'Project team');

    const xss = ana.locator('[data-testid="message-item"][data-seq="117"] [data-testid="message-text"]');
    assert.equal(await xss.textContent(), XSS);
    assert.equal(await ana.locator('[data-testid="message-list"] img, [data-testid="message-list"] script, [data-testid="message-list"] b').count(), 0);
    assert.equal(await ana.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);

    const link = ana.locator('[data-testid="message-item"][data-seq="118"] a');
    assert.equal(await link.getAttribute('href'), 'https://example.com/page');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    const overflow = await ana.getByTestId('message-scroll').evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.ok(overflow <= 0, `a 700-character word wraps (overflow ${overflow}px)`);

    await ana.waitForFunction(() => document.querySelector('[data-testid="group-unread"]') === null);
  });

  it('loads older messages as the person scrolls up, keeping what they look at in place', async () => {
    const anchor = ana.locator('[data-testid="message-item"][data-seq="71"]');
    const scroll = ana.getByTestId('message-scroll');
    await scroll.evaluate((el) => { el.scrollTop = 0; });
    const before = await anchor.evaluate((el) => el.getBoundingClientRect().top);
    await ana.waitForFunction(() => document.querySelectorAll('[data-testid="message-item"]').length === 100);
    const after = await anchor.evaluate((el) => el.getBoundingClientRect().top);
    assert.ok(Math.abs(after - before) < 40, `message 71 stayed in view (moved ${after - before}px)`);
    await scroll.evaluate((el) => { el.scrollTop = 0; });
    await ana.waitForFunction(() => document.querySelectorAll('[data-testid="message-item"]').length === 120);
    assert.deepEqual(await seqs(ana), Array.from({ length: 120 }, (_, i) => i + 1));
    await ana.getByText('This is the beginning of the conversation.').waitFor();
  });

  it('sends with Enter (Shift+Enter for a new line): pending, then sent with its seq, live for the others', async () => {
    rui = await signIn('1002');
    await rui.getByTestId('group-item').click();
    await rui.waitForFunction(() => document.querySelectorAll('[data-testid="message-item"]').length >= 50);

    const composer = ana.getByTestId('composer-input');
    await composer.click();
    await composer.type('Hello');
    await composer.press('Shift+Enter');
    await composer.type('world');
    await rui.getByTestId('typing-indicator').getByText('Ana Silva is typing…').waitFor();
    await composer.press('Enter');
    assert.equal(await composer.inputValue(), '');
    const mine = ana.locator('[data-testid="message-item"][data-seq="121"]');
    await mine.waitFor();
    assert.equal(await mine.getAttribute('data-status'), 'sent');
    assert.equal(await mine.getByTestId('message-text').textContent(), 'Hello\nworld');

    const theirs = rui.locator('[data-testid="message-item"][data-seq="121"]');
    await theirs.waitFor();
    assert.equal(await theirs.getAttribute('data-from'), '1001');
    assert.equal(await theirs.getByTestId('message-text').textContent(), 'Hello\nworld');
    await ana.locator('[data-testid="message-item"][data-seq="121"] [data-testid="message-status"]', { hasText: 'Seen by Rui Costa' }).waitFor();
    await fs.writeFile(path.join(RESULTS, 'chat-desktop.png'), await ana.screenshot());
  });

  it('shows a failed send with a retry that reuses its clientId', async () => {
    stand().failNextSend = { code: 'UNAVAILABLE', message: 'data service unreachable' };
    await ana.getByTestId('composer-input').fill('Will this arrive?');
    await ana.getByTestId('composer-input').press('Enter');
    const failed = ana.locator('[data-testid="message-item"][data-status="failed"]');
    await failed.waitFor();
    assert.match(await failed.textContent() ?? '', /busy or down/);
    const clientId = await failed.getAttribute('data-client-id');
    await failed.getByTestId('message-retry').click();
    await ana.locator(`[data-testid="message-item"][data-client-id="${clientId}"][data-status="sent"]`).waitFor();
    assert.deepEqual(stand().sendAttempts.filter((id) => id === clientId).length, 2);
    assert.equal(stand().messages(group.id).filter((m) => m.clientId === clientId).length, 1);
  });

  it("refuses an over-long message in the page by the server's own rule (code points), sending nothing", async () => {
    const attempts = stand().sendAttempts.length;
    const composer = ana.getByTestId('composer-input');
    await composer.fill('\u{1F600}'.repeat(LIMITS.messageLength + 1));
    await composer.press('Enter');
    await ana.getByTestId('toast').filter({ hasText: `This message cannot be sent: it must be at most ${LIMITS.messageLength} characters.` }).waitFor();
    assert.notEqual(await composer.inputValue(), '', 'the text stays for editing');
    assert.equal(stand().sendAttempts.length, attempts);
    await composer.fill('');
  });

  it(`shows the person's own reaction as theirs past the first ${TIMELINE_LIMITS.reactorsListed} reactors, and takes it back`, async () => {
    const { id, seq } = stand().post(group.id, '1002', 'A popular message');
    const others = Array.from({ length: TIMELINE_LIMITS.reactorsListed }, (_, i) => String(3000 + i));
    others.forEach((up) => stand().change(group.id, id, up, { kind: 'react', emoji: '👍', add: true }));
    const chip = ana.locator(`[data-testid="message-item"][data-seq="${seq}"] [data-testid="reaction-chip"][data-emoji="👍"]`);
    const count = () => chip.getByTestId('reaction-count').textContent();
    await chip.getByTestId('reaction-count').filter({ hasText: String(others.length) }).waitFor();
    assert.equal(await chip.getAttribute('aria-pressed'), 'false');

    await chip.click();
    await chip.getByTestId('reaction-count').filter({ hasText: String(others.length + 1) }).waitFor();
    const reactorsOf = () => stand().messages(group.id).find((m) => m.id === id)?.reactions?.[0];
    assert.equal(reactorsOf()?.ups.includes('1001'), false, 'the person is past the reactors listed');
    assert.equal(await chip.getAttribute('aria-pressed'), 'true', 'yet the chip shows the reaction as theirs');
    assert.match(await chip.getAttribute('title') ?? '', /^You, /);

    await chip.click();
    await chip.getByTestId('reaction-count').filter({ hasText: new RegExp(`^${others.length}$`) }).waitFor();
    assert.equal(reactorsOf()?.count, others.length, 'the click took the reaction back');
    assert.equal(await chip.getAttribute('aria-pressed'), 'false');
    assert.equal(await count(), String(others.length));

    // A reaction this page did not make (another device, or before it loaded): the page asks the server once.
    const asked = stand().ownReactionRequests.length;
    stand().change(group.id, id, '1001', { kind: 'react', emoji: '👍', add: true });
    await ana.locator(`[data-testid="message-item"][data-seq="${seq}"] [data-testid="reaction-chip"][aria-pressed="true"]`).waitFor();
    assert.equal(await count(), String(others.length + 1));
    assert.deepEqual(stand().ownReactionRequests.slice(asked), [[id]]);
    await chip.click();
    await chip.getByTestId('reaction-count').filter({ hasText: new RegExp(`^${others.length}$`) }).waitFor();
    assert.equal(reactorsOf()?.count, others.length, 'the click took it back');
  });

  it('reconnects after losing its server, catches up what it missed once, and sends what was queued', async () => {
    stand().refuseConnections = true;
    stand().io.in('user:1001').disconnectSockets(true);
    await ana.locator('[data-testid="connection-status"][data-state="reconnecting"]').waitFor();
    stand().post(group.id, '1002', 'Sent while you were away 1');
    stand().post(group.id, '1002', 'Sent while you were away 2');
    await ana.getByTestId('composer-input').fill('Queued while offline');
    await ana.getByTestId('composer-input').press('Enter');
    await ana.locator('[data-testid="message-item"][data-status="pending"] [data-testid="message-status"]', { hasText: 'Waiting for connection' }).waitFor();
    stand().refuseConnections = false;
    await ana.locator('[data-testid="connection-status"][data-state="online"]').waitFor({ timeout: 15000 });
    await ana.locator('[data-testid="message-item"][data-status="sent"]', { hasText: 'Queued while offline' }).waitFor();
    const held = await seqs(ana);
    assert.equal(new Set(held).size, held.length, 'no message twice');
    assert.deepEqual(held, Array.from({ length: held.length }, (_, i) => i + 1), 'in seq order without a gap');
    assert.equal(held[held.length - 1], stand().messages(group.id).length);
  });

  it('creates a group, explaining a refused member in plain words; the member sees it appear', async () => {
    await ana.getByTestId('group-create-toggle').click();
    await ana.getByTestId('group-create-name').fill('Weekend');
    await ana.getByTestId('group-create-members').fill('1002, 9999');
    await ana.getByTestId('group-create-submit').click();
    // The explanation arrives with the server's answer: wait for it rather than read the empty box.
    await ana.getByTestId('group-create-error').filter({ hasText: /not accepted\. Unknown users: 9999\./ }).waitFor();
    await ana.getByTestId('group-create-members').fill('1002');
    await ana.getByTestId('group-create-submit').click();
    await ana.getByTestId('conversation-title').getByText('Weekend').waitFor();
    await rui.getByTestId('toast').getByText('You were added to “Weekend”.').waitFor();
    await rui.locator('[data-testid="group-item"]', { hasText: 'Weekend' }).waitFor();
  });

  it('stacks the list and the conversation on a phone-width window', async () => {
    await rui.setViewportSize({ width: 360, height: 740 });
    // Rui has "Project team" open: on a phone the conversation takes the whole width.
    await rui.getByTestId('back-to-groups').waitFor();
    assert.equal(await rui.getByTestId('group-list').isVisible(), false);
    const widths = await rui.evaluate(() => {
      const { scrollWidth, clientWidth } = document.documentElement;
      return [scrollWidth, clientWidth];
    });
    assert.ok((widths[0] as number) <= (widths[1] as number), `no horizontal scroll (${widths.join(' > ')})`);
    await fs.writeFile(path.join(RESULTS, 'chat-phone.png'), await rui.screenshot());
    await rui.getByTestId('back-to-groups').click();
    await rui.getByTestId('group-list').waitFor();
    assert.equal(await rui.getByTestId('conversation').isVisible(), false);
    await fs.writeFile(path.join(RESULTS, 'chat-phone-list.png'), await rui.screenshot());
    await rui.locator('[data-testid="group-item"]', { hasText: 'Weekend' }).click();
    await rui.getByTestId('conversation-title').getByText('Weekend').waitFor();
    assert.equal(await rui.getByTestId('group-list').isVisible(), false);
  });
});
