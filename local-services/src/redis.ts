/** Redis 7 for development and tests: REDIS_URL if set; else `redis-server` on a free port. */
import type { ChildProcess } from 'node:child_process';
import {
  freePort, spawnOwned, stopProcess, tailOutput, waitForPort, which,
} from './processes';

export interface RunningRedis {
  url: string;
  kind: 'external' | 'redis-server';
  stop: () => Promise<void>;
  restart: () => Promise<void>;
  /** The server process, to watch for crashes; undefined for an external server. */
  child: () => ChildProcess | undefined;
}

export const redisAvailable = (): boolean => Boolean(process.env.REDIS_URL || which('redis-server'));

export async function startRedis(options: { privateServer?: boolean } = {}): Promise<RunningRedis> {
  const external = process.env.REDIS_URL;
  if (external && !options.privateServer) {
    const noop = async () => {};
    return {
      url: external, kind: 'external', stop: noop, restart: noop, child: () => undefined,
    };
  }
  const binary = which('redis-server');
  if (!binary) {
    throw new Error('Redis is needed: install it (Debian/Ubuntu: apt-get install redis-server) or set REDIS_URL.');
  }
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'];
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawnOwned(binary, args);
    const tail = tailOutput(child);
    try {
      await waitForPort(port, { child });
    } catch (err) {
      throw new Error(`redis-server did not start: ${(err as Error).message}\n${tail()}`);
    }
  };
  await launch();
  const stop = async () => { if (child) await stopProcess(child); };
  return {
    url: `redis://127.0.0.1:${port}`,
    kind: 'redis-server',
    stop,
    restart: async () => { await stop(); await launch(); },
    child: () => child,
  };
}
