/**
 * A MongoDB-compatible server for development and tests, in this order:
 * MONGO_URL if set; else a `mongod` on PATH; else the embedded FerretDB.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureFerretdbLauncher } from './ferretdb';
import {
  freePort, spawnOwned, stopProcess, tailOutput, waitForPort, which,
} from './processes';

export interface RunningMongo {
  /** Server URL without a database name, e.g. `mongodb://127.0.0.1:40123`. */
  url: string;
  kind: 'external' | 'mongod' | 'ferretdb';
  /** Stops the server (an external one is left alone). The data folder survives. */
  stop: () => Promise<void>;
  /** Starts it again on the same port and folder (not for external servers). */
  restart: () => Promise<void>;
  /** Stops it and removes its data folder when it made one. */
  destroy: () => Promise<void>;
  /** The server process, to watch for crashes; undefined for an external server. */
  child: () => ChildProcess | undefined;
}

export interface MongoOptions {
  /** Where the data lives; a fresh temporary folder when omitted. */
  dataDir?: string;
  /** Ignore MONGO_URL and mongod and start a private FerretDB (for tests that stop the database). */
  privateServer?: boolean;
  port?: number;
  log?: (line: string) => void;
}

/** `mongodb://host:port/db?opts` → `mongodb://host:port` plus a database name of our choosing. */
export function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function startMongo(options: MongoOptions = {}): Promise<RunningMongo> {
  const external = process.env.MONGO_URL;
  if (external && !options.privateServer) {
    const noop = async () => {};
    return {
      url: external, kind: 'external', stop: noop, restart: noop, child: () => undefined, destroy: noop,
    };
  }
  const ownsDir = !options.dataDir;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chat-mongo-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? await freePort();
  const mongod = options.privateServer ? undefined : which('mongod');
  const kind = mongod ? 'mongod' : 'ferretdb';
  const command = mongod ?? ensureFerretdbLauncher(options.log);
  const args = mongod
    ? ['--dbpath', dataDir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet']
    : ['-listen', `127.0.0.1:${port}`, '-data', dataDir];

  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawnOwned(command, args);
    const tail = tailOutput(child);
    try {
      await waitForPort(port, { child });
    } catch (err) {
      throw new Error(`${kind} did not start: ${(err as Error).message}\n${tail()}`);
    }
  };
  await launch();

  const stop = async () => { if (child) await stopProcess(child); };
  return {
    url: `mongodb://127.0.0.1:${port}`,
    kind,
    stop,
    restart: async () => { await stop(); await launch(); },
    child: () => child,
    destroy: async () => {
      await stop();
      if (ownsDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
