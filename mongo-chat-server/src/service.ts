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
import { connectDatabase } from './db/connection';
import { createModels, ensureIndexes } from './db/models';
import { createGroupService } from './groups/group-service';
import { createMessageService } from './messages/message-service';
import { SeqWriter } from './messages/seq-writer';
import { createTimelineService } from './messages/timeline-service';
import { createWriterMetrics } from './metrics';
import { createPasswords } from './users/passwords';
import { createUserService } from './users/user-service';

export interface DataService {
  url: string;
  logger: winston.Logger;
  close: () => Promise<void>;
}

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
  const models = createModels(db);
  const writer = new SeqWriter(models, {
    metrics: createWriterMetrics(metrics),
    onHintError: (err) => logger.warn('could not save group hints; retrying', { error: (err as Error).message }),
  });
  const users = createUserService(models, createPasswords(config.passwordHashMemoryKib));
  const groups = createGroupService(models, writer, users);
  const timeline = createTimelineService(models, writer, groups, { editWindowS: config.editWindowS });
  const messages = createMessageService(models, writer, groups, timeline);
  const app = buildApp({
    internalToken: config.internalToken,
    bodyLimit: config.bodyLimit,
    db,
    logging,
    metrics,
    users,
    groups,
    messages,
    timeline,
  });

  const server = http.createServer(app);
  try {
    await ensureIndexes(models);
    const port = await listen(server, config.port, config.host);
    const url = localUrl(config.host, port);
    logger.info('listening', { url });

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        await closeServer(server, CLOSE_GRACE_MS);
        await writer.close();
        await db.close();
        logger.info('stopped');
        await logging.close();
      })();
      return closing;
    };
    return { url, logger, close };
  } catch (err) {
    logger.error('could not start', { error: (err as Error).message });
    server.close();
    await db.close();
    await logging.close();
    throw err;
  }
}
