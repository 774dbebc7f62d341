/** Headless Chromium from the machine, driven by playwright-core. */
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run. Locally they are skipped without Chromium; in CI (`CI` set, as
 * `.ci/run` does after installing it) a missing browser is a failure, never a silent pass.
 */
export const chromiumAvailable = (): boolean => {
  if (fs.existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM_PATH} is missing: CI must install Debian's chromium`);
  return false;
};

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** Waits until the page shows it is connected (playwright's default timeout unless given). */
export function waitOnline(page: Page, timeout?: number): Promise<void> {
  return page.locator('[data-testid="connection-status"][data-state="online"]').waitFor({ timeout });
}

/** Logs in through the page's form and waits until it is connected. */
export async function logIn(page: Page, identifier: string, password: string, timeout?: number): Promise<void> {
  await page.getByTestId('login-identifier').fill(identifier);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-password').press('Enter');
  await waitOnline(page, timeout);
}
