/**
 * startDataService: connect, build the app, listen; close() undoes it all in
 * order (stop taking requests, let stored writes finish, close the database).
 */
import http from 'node:http';
import type winston from 'winston';
import {
  closeServer, createLogging, createMetrics, listen, localUrl,
} from '@chat/shared';
import { buildApp } from './app';
import { SERVICE_NAME } from './config';
import type { DataServiceConfig } from './config';
import type { Notifications } from './notifications';
import { monitorCommands } from './db/command-metrics';
import { connectDatabase } from './db/connection';
import { createModels, ensureIndexes } from './db/models';
import { startFileSweeper } from './files/sweeper';
import { createGroupService } from './groups/group-service';
import { logRoleAudit } from './groups/role-audit';
import { migrateRoles } from './groups/role-migration';
import { createMessageService } from './messages/message-service';
import { WriteTurns } from './db/write-turns';
import { createNotifications } from './notifications';
import { SeqWriter } from './messages/seq-writer';
import { createTimelineService } from './messages/timeline-service';
import { createWriterMetrics } from './metrics';
import { createPasswords } from './users/passwords';
import { createSessionService } from './users/sessions';
import { createUserService } from './users/user-service';
import { backfillSearchText } from './search/backfill';
import { createSearchService } from './search/search-service';

export interface DataService {
  url: string;
  logger: winston.Logger;
  notifications: Notifications;
  close: () => Promise<void>;
  /** Settles when every message stored before search existed is searchable (docs/search.md, Backfill). */
  searchBackfill: Promise<number>;
}

/** Notifications without a webhook: the in-app list only. */
const NO_WEBHOOK = {
  secret: '',
  digestMs: 300000,
  retryBaseMs: 1000,
  retryMaxMs: 300000,
  leaseMs: 15000,
  sweepMs: 30000,
};

/** Requests in flight when a close begins get this long to finish. */
const CLOSE_GRACE_MS = 5000;

export async function startDataService(config: DataServiceConfig): Promise<DataService> {
  const logging = createLogging({
    service: SERVICE_NAME, dir: config.logDir, level: config.logLevel, console: config.logConsole,
  });
  const { logger } = logging;
  config.warnings?.forEach((w) => logger.warn(w));
  const metrics = createMetrics(SERVICE_NAME);

  let db;
  try {
    db = await connectDatabase(config.mongoUrl, {
      readPreference: config.readPreference,
      writeConcern: config.writeConcern,
      serverSelectionTimeoutMs: config.serverSelectionTimeoutMs ?? 3000,
      // Above the slowest legitimate call (a deep page scanned by FerretDB takes seconds).
      socketTimeoutMs: config.socketTimeoutMs ?? 30000,
      connectTimeoutMs: config.connectTimeoutMs ?? 30000,
      logger,
    });
  } catch (err) {
    logger.error('could not start', { error: (err as Error).message });
    await logging.close();
    throw err;
  }
  monitorCommands(db, metrics.registry);
  const models = createModels(db);
  // One write at a time from this process, the sends' first (FerretDB: one write lock, back-off sleeps).
  const turns = new WriteTurns();
  const notifications = createNotifications({
    db, models, logger, config: config.notify ?? NO_WEBHOOK, turns,
  });
  const writer = new SeqWriter(models, {
    turns,
    metrics: createWriterMetrics(metrics),
    onReadError: (err) => logger.warn('could not move senders\' read positions', { error: (err as Error).message }),
    onHintError: (err) => logger.warn('could not save group hints; retrying', { error: (err as Error).message }),
    onStored: notifications.stored,
  });
  const passwords = createPasswords(config.passwordHashMemoryKib);
  const users = createUserService(models, passwords);
  const sessions = createSessionService(models, passwords);
  const groups = createGroupService(models, writer, users, logRoleAudit(logger));
  const sweeper = startFileSweeper(db, groups, config.pendingUploadMaxAgeMs, logger);
  groups.onDeleted((id) => sweeper.files.deleteFilesOfGroup(id));
  const timeline = createTimelineService(models, writer, groups, {
    editWindowS: config.editWindowS,
    deleteFilesOf: (ids) => sweeper.files.deleteFilesOf(ids),
  });
  const messages = createMessageService(models, writer, groups, timeline, sweeper.files);
  const search = createSearchService(models, {
    ...config.search,
    onEngine: (engine, reason) => logger.info('search engine chosen', { engine, reason }),
  });
  const app = buildApp({
    internalToken: config.internalToken,
    bodyLimit: config.bodyLimit,
    db,
    logging,
    metrics,
    users,
    sessions,
    groups,
    messages,
    timeline,
    search,
    files: sweeper.files,
    extraRoutes: [notifications.routes()],
  });

  const server = http.createServer(app);
  try {
    await ensureIndexes(models);
    const migrated = await migrateRoles(models);
    if (migrated.groups + migrated.memberships > 0) logger.info('gave roles to groups stored before roles', migrated);
    await notifications.ensureIndexes();
    await sweeper.start();
    const port = await listen(server, config.port, config.host);
    const url = localUrl(config.host, port);
    logger.info('listening', { url });
    notifications.start();

    let closing: Promise<void> | undefined;
    // In the background, so a start is not held up: the first search waits for it if it has not ended.
    search.detect().catch((err: unknown) => logger.warn('could not set up search; the first search tries again', { error: (err as Error).message }));
    const searchBackfill = backfillSearchText(models, { stopped: () => closing !== undefined })
      .then((count) => {
        if (count > 0) logger.info('made older messages searchable', { count });
        return count;
      }, (err: unknown) => {
        const error = (err as Error).message;
        logger.warn('could not make older messages searchable; they are found after the next start', { error });
        return 0;
      });
    const close = () => {
      closing ??= (async () => {
        sweeper.stop();
        await closeServer(server, CLOSE_GRACE_MS);
        await searchBackfill;
        await writer.close();
        await notifications.close();
        await db.close();
        logger.info('stopped');
        await logging.close();
      })();
      return closing;
    };
    return {
      url, logger, notifications, close, searchBackfill,
    };
  } catch (err) {
    logger.error('could not start', { error: (err as Error).message });
    sweeper.stop();
    server.close();
    await db.close();
    await logging.close();
    throw err;
  }
}
