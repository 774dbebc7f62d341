/**
 * startDataService: connect, build the app, listen; close() undoes it all in
 * order (stop taking requests, let stored writes finish, close the database).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogging, createMetrics } from '@chat/shared';
import { buildApp } from './app';
import { SERVICE_NAME } from './config';
import type { DataServiceConfig } from './config';
import { connectDatabase } from './db/connection';
import { createModels, ensureIndexes } from './db/models';
import { createGroupService } from './groups/group-service';
import { createMessageService } from './messages/message-service';
import { SeqWriter } from './messages/seq-writer';
import { createWriterMetrics } from './metrics';
import { createPasswords } from './users/passwords';
import { createUserService } from './users/user-service';

export interface DataService {
  url: string;
  close: () => Promise<void>;
}

const urlHost = (host: string): string => {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
};

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

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
  const messages = createMessageService(models, writer, groups);
  const app = buildApp({
    internalToken: config.internalToken, bodyLimit: config.bodyLimit, db, logging, metrics, users, groups, messages,
  });

  const server = http.createServer(app);
  // Callers keep their connections open (keep-alive): outlive their idle timeouts.
  server.keepAliveTimeout = 65000;
  server.headersTimeout = 66000;
  try {
    await ensureIndexes(models);
    const port = await listen(server, config.port, config.host);
    const url = `http://${urlHost(config.host)}:${port}`;
    logger.info('listening', { url });

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => { server.close(() => resolve()); });
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 5000);
        await stopped;
        clearTimeout(force);
        await writer.close();
        await db.close();
        logger.info('stopped');
        await logging.close();
      })();
      return closing;
    };
    return { url, close };
  } catch (err) {
    logger.error('could not start', { error: (err as Error).message });
    server.close();
    await db.close();
    await logging.close();
    throw err;
  }
}
