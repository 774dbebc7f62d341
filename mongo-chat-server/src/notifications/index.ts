/**
 * Notifications in the data service (docs/notifications.md): the outbox
 * writer fed by the seq writer's rounds, the preferences and in-app list
 * behind /notifications, and, when NOTIFY_URL is set, the digest worker
 * with the webhook sender.
 */
import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type winston from 'winston';
import type { Models } from '../db/models';
import { DigestWorker } from './digest-worker';
import { createNotifyModels, ensureNotifyIndexes } from './models';
import type { WriteTurns } from '../db/write-turns';
import { Outbox } from './outbox';
import type { StoredDoc } from './outbox';
import { createPreferences } from './preferences';
import { notificationRoutes } from './routes';
import { createWebhookSender } from './sender';
import type { NotificationSender } from './sender';

export type { NotificationSender };

export interface NotifyConfig {
  /** The notifications component; unset: no webhook (the in-app list still works). */
  url?: string;
  secret: string;
  digestMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  leaseMs: number;
  /** How often every replica looks for messages never turned into notifications. */
  sweepMs: number;
  /** Stored messages are gathered this long before they become notification items (0: the next turn). */
  gatherMs?: number;
}

export interface NotificationsDeps {
  db: Connection;
  models: Models;
  config: NotifyConfig;
  logger: winston.Logger;
  /** Another sender instead of the webhook (none is built without a URL). */
  sender?: NotificationSender;
  /** This process's write turns (the outbox's writes are background writes). */
  turns?: WriteTurns;
}

export function createNotifications(deps: NotificationsDeps) {
  const n = createNotifyModels(deps.db);
  const outbox = new Outbox(deps.models, n, {
    logger: deps.logger, sweepMs: deps.config.sweepMs, gatherMs: deps.config.gatherMs, turns: deps.turns,
  });
  const preferences = createPreferences(deps.models, n);
  const sender = deps.sender
    ?? (deps.config.url ? createWebhookSender({ url: deps.config.url, secret: deps.config.secret }) : undefined);
  const worker = sender
    ? new DigestWorker(n, {
      sender,
      logger: deps.logger,
      digestMs: deps.config.digestMs,
      retryBaseMs: deps.config.retryBaseMs,
      retryMaxMs: deps.config.retryMaxMs,
      leaseMs: deps.config.leaseMs,
    })
    : undefined;
  return {
    models: n,
    outbox,
    worker,
    /** The seq writer's hook: a round of stored messages. */
    stored: (docs: readonly StoredDoc[]) => outbox.add(docs),
    routes: (): Router => notificationRoutes(preferences),
    ensureIndexes: () => ensureNotifyIndexes(n),
    start: () => {
      outbox.startSweeping();
      worker?.start();
    },
    close: async () => {
      await worker?.stop();
      await outbox.close();
    },
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
