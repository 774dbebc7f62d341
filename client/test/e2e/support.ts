/**
 * The built test client in Chromium against the real system (data service,
 * dispatcher, chat servers as processes): signing people in through the page,
 * finding users the dispatcher places on different chat servers, and seeding
 * a long history straight through the data service.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { StoredMessage } from '@chat/contract';
import { logIn, waitOnline } from '../support/browser';
/* eslint-disable import/no-relative-packages -- the repository's system harness is shared test code, not a package */
import { startSystem } from '../../../test/support/system';
import type { Account, TestSystem } from '../../../test/support/system';
/* eslint-enable import/no-relative-packages */

export { startSystem };
export type { TestSystem };

export const PASSWORD = 'correct horse battery';

/** Calls the internal data service with the system's internal token. */
export async function dataService(system: TestSystem, method: string, path: string, body?: unknown): Promise<unknown> {
  if (!system.data) throw new Error('the system has no data service');
  const res = await fetch(`${system.data.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-internal-token': system.secrets.INTERNAL_TOKEN },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer: unknown = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

export interface Placed extends Account { serverId: string; url: string }

/**
 * Registers users numbered `<prefix>0`…`<prefix>9` one at a time until two of
 * them are placed on different chat servers; returns that pair.
 */
export async function pairOnDifferentServers(system: TestSystem, prefix: string): Promise<[Placed, Placed]> {
  const seen: Placed[] = [];
  for (let digit = 0; digit <= 9; digit += 1) {
    const account = await system.register(`${prefix}${digit}`, PASSWORD);
    const place = await system.locate(account.token);
    const placed = { ...account, serverId: place.serverId, url: place.url };
    const other = seen.find((p) => p.serverId !== placed.serverId);
    if (other) return [other, placed];
    seen.push(placed);
  }
  throw new Error(`the dispatcher placed every user on ${seen[0]?.serverId}`);
}

interface BatchResult { ok: boolean; message?: StoredMessage; error?: unknown }

/**
 * Stores `count` messages in `group`, from the members in turn, through the
 * data service's batch route (100 per call); returns each stored seq's text.
 */
export async function seedHistory(
  system: TestSystem,
  group: string,
  members: string[],
  count: number,
): Promise<Map<number, string>> {
  const texts = new Map<number, string>();
  for (let start = 1; start <= count; start += 100) {
    const messages = [];
    for (let i = start; i < Math.min(start + 100, count + 1); i += 1) {
      messages.push({
        group, from: members[i % members.length], message: `History message ${i}`, clientId: `seed-${i}`,
      });
    }
    const { results } = await dataService(system, 'POST', '/message/batch', { messages }) as { results: BatchResult[] };
    results.forEach((result) => {
      if (!result.ok || !result.message) throw new Error(`seeding failed: ${JSON.stringify(result.error)}`);
      texts.set(result.message.seq, result.message.message);
    });
  }
  return texts;
}

export interface SignedIn { context: BrowserContext; page: Page }

/** A new browser context (its own sessionStorage: its own person), signed in through the form and online. */
export async function signIn(browser: Browser, siteUrl: string, up: string): Promise<SignedIn> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await page.goto(siteUrl);
  await logIn(page, up, PASSWORD, 15000);
  return { context, page };
}

/** Waits until the page's connection is online; returns the id of the chat server it shows. */
export async function onlineOn(page: Page, timeout = 15000): Promise<string> {
  await waitOnline(page, timeout);
  return await page.getByTestId('server-id').textContent() ?? '';
}

/** The seq of every message shown in the open conversation, in DOM order. */
export const shownSeqs = (page: Page): Promise<number[]> => page.getByTestId('message-item').evaluateAll(
  (items) => items.map((el) => Number((el as HTMLElement).dataset.seq)),
);

/** Sends through the composer and waits until the server acknowledged it; returns its seq. */
export async function sendFromPage(page: Page, text: string): Promise<number> {
  const input = page.getByTestId('composer-input');
  await input.fill(text);
  await input.press('Enter');
  const sent = page.locator('[data-testid="message-item"][data-status="sent"]', { hasText: text }).last();
  await sent.waitFor();
  return Number(await sent.getAttribute('data-seq'));
}

/** Waits until the open conversation shows a message with this text from `up`. */
export async function waitForMessage(page: Page, up: string, text: string, timeout = 10000): Promise<void> {
  await page.locator(`[data-testid="message-item"][data-from="${up}"]`, { hasText: text }).first().waitFor({ timeout });
}

/**
 * Scrolls the conversation to its top, page after page, until the page says it
 * reached the first message. Returns how far (px) the message at the top moved
 * on screen as each older page went in above it: the most it moved.
 */
export async function scrollToBeginning(page: Page, timeout = 30000): Promise<number> {
  const deadline = Date.now() + timeout;
  const scroll = page.getByTestId('message-scroll');
  let moved = 0;
  while (await page.getByTestId('history-status').getAttribute('data-state') !== 'start') {
    if (Date.now() > deadline) {
      const seqs = await shownSeqs(page);
      const status = await page.getByTestId('history-status').textContent();
      const toasts = await page.getByTestId('toasts').textContent();
      throw new Error(`the conversation never reached its first message: ${seqs.length} shown from ${seqs[0]} (${status}; ${toasts})`);
    }
    // To the top, and where the oldest message is now, in one go: no page can arrive in between.
    const [firstSeq, top] = await scroll.evaluate((el) => {
      el.scrollTop = 0;
      const first = el.querySelector<HTMLElement>('[data-testid="message-item"]');
      return [Number(first?.dataset.seq), first?.getBoundingClientRect().top ?? 0];
    });
    const older = await page.waitForFunction((seq) => {
      const first = document.querySelector<HTMLElement>('[data-testid="message-item"]');
      return Number(first?.dataset.seq) < seq;
    }, firstSeq, { timeout: 5000 }).then(() => true, () => false);
    if (older) {
      const now = await page.locator(`[data-testid="message-item"][data-seq="${firstSeq}"]`)
        .evaluate((el) => el.getBoundingClientRect().top);
      moved = Math.max(moved, Math.abs(now - top));
    }
  }
  return moved;
}
