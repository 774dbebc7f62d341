/** The built page served with the stand-in chat server behind it, and a browser to open it in. */
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { builtClient } from './build';
import { startStandIn } from './stand-in-backend';
import type { StandIn } from './stand-in-backend';
import { serveStatic } from './static-server';

export interface StandInSite {
  backend: StandIn;
  /** The page in a fresh browser context: one person, with their own storage and socket. */
  openPage: (viewport?: { width: number; height: number }) => Promise<Page>;
  /** Closes the browser (and with it every page), the site and the stand-in. */
  close: () => Promise<void>;
}

export async function startStandInSite(): Promise<StandInSite> {
  const dir = await builtClient();
  const backend = await startStandIn();
  const config = { dispatcherUrl: backend.url, apiUrl: backend.url };
  const site = await serveStatic(dir, `window.CHAT_CONFIG = ${JSON.stringify(config)};`);
  const browser = await launchBrowser();
  return {
    backend,
    openPage: async (viewport = { width: 1200, height: 800 }) => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(site.url);
      return page;
    },
    close: async () => {
      await browser.close();
      await site.close();
      await backend.close();
    },
  };
}
