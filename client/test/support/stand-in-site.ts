/** The built page served with the stand-in chat server behind it, and a browser to open it in. */
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { builtClient } from './build';
import { startStandIn } from './stand-in-backend';
import type { StandIn } from './stand-in-backend';
import { serveStatic } from './static-server';
import type { StaticServer } from './static-server';

export interface StandInSite {
  backend: StandIn;
  site: StaticServer;
  browser: Browser;
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
    site,
    browser,
    close: async () => {
      await browser.close();
      await site.close();
      await backend.close();
    },
  };
}
