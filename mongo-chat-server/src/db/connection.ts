/**
 * The one MongoDB connection of a service instance. Commands are not buffered
 * and server selection is short, so a call made while the database is away
 * fails within seconds (503) instead of hanging; the driver keeps probing and
 * the same connection serves again as soon as the database is back.
 *
 * Ready for a replica set: writes are retryable (a primary stepping down does
 * not fail a send), reads go where `readPreference` says, and on a replica set
 * writes wait for a majority of members (`w: majority`) so an acknowledged
 * message survives a failover. A standalone server or FerretDB, which have no
 * majority to wait for, keep the server's default unless told otherwise.
 */
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import type winston from 'winston';

// Request values are data, never operators: a `{"$gt": ""}` that reaches a
// filter is wrapped in `$eq`. The service marks its own operators with trusted().
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', 'throw');

export type ReadPreference = 'primary' | 'primaryPreferred' | 'secondary' | 'secondaryPreferred' | 'nearest';
/** `auto`: `majority` when the server is a replica set member, else the server's default. */
export type WriteConcernSetting = 'auto' | 'majority' | number;

export interface ConnectOptions {
  readPreference?: ReadPreference;
  writeConcern?: WriteConcernSetting;
  serverSelectionTimeoutMs: number;
  socketTimeoutMs: number;
  connectTimeoutMs: number;
  logger: winston.Logger;
}

const sleep = (ms: number) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Strips credentials from a URL before it reaches a log line. */
export const describeUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, '//');

async function openOnce(url: string, options: ConnectOptions, w?: 'majority' | number): Promise<Connection> {
  const db = mongoose.createConnection(url, {
    retryWrites: true,
    readPreference: options.readPreference ?? 'primary',
    ...(w === undefined ? {} : { writeConcern: { w } }),
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs,
    socketTimeoutMS: options.socketTimeoutMs,
    // A new connection's handshake over a silent path must not wait the driver's 30 s either.
    connectTimeoutMS: Math.min(options.socketTimeoutMs, 10000),
    // Commands in flight at once. The seq writer batches, so a few carry the load; and FerretDB v1 (the test
    // database) holds up to two SQLite connections per command from a pool of 100, which more would exhaust.
    maxPoolSize: 24,
    // Counted by command and collection in the metrics (command-metrics.ts).
    monitorCommands: true,
  });
  try {
    return await db.asPromise();
  } catch (err) {
    await db.close(true).catch(() => undefined);
    throw err;
  }
}

/** Whether the server is a replica set member (its `hello` names a set). */
async function inReplicaSet(db: Connection): Promise<boolean> {
  const hello = await db.db?.admin().command({ hello: 1 }).catch(() => undefined);
  return typeof hello?.setName === 'string';
}

async function openReplicaAware(url: string, options: ConnectOptions): Promise<Connection> {
  const setting = options.writeConcern ?? 'auto';
  if (setting !== 'auto') return openOnce(url, options, setting);
  const db = await openOnce(url, options);
  if (!(await inReplicaSet(db))) return db;
  await db.close();
  return openOnce(url, options, 'majority');
}

/** Connects, retrying until `connectTimeoutMs`, so a service started next to its database waits for it. */
export async function connectDatabase(url: string, options: ConnectOptions): Promise<Connection> {
  const { logger } = options;
  const deadline = Date.now() + options.connectTimeoutMs;
  for (;;) {
    try {
      const db = await openReplicaAware(url, options);
      db.on('disconnected', () => logger.warn('database connection lost'));
      db.on('reconnected', () => logger.info('database connection restored'));
      logger.info('connected to the database', { url: describeUrl(url) });
      return db;
    } catch (err) {
      if (Date.now() >= deadline) {
        throw new Error(`cannot reach the database at ${describeUrl(url)}: ${(err as Error).message}`);
      }
      logger.warn('database not reachable yet; retrying', { error: (err as Error).message });
      await sleep(500);
    }
  }
}

/** Round trip to the database, bounded in time, for /ready. */
export async function pingDatabase(db: Connection, timeoutMs: number): Promise<boolean> {
  const admin = db.db?.admin();
  if (!admin) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    return await Promise.race([admin.ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
