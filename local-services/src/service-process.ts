/**
 * Runs one of the project's services (data service, dispatcher, chat server) as
 * a child process through tsx, and waits until its /health answers. Used by
 * `npm start` and by the tests that kill, stop and restart real processes.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  freePort, spawnOwned, stopProcess, tailOutput,
} from './processes';

const ROOT = path.resolve(__dirname, '..', '..');

export const SERVICE_ENTRIES = {
  'mongo-chat-server': 'mongo-chat-server/src/index.ts',
  dispatcher: 'dispatcher/src/index.ts',
  'chat-server': 'server/src/index.ts',
} as const;

export type ServiceName = keyof typeof SERVICE_ENTRIES;

/**
 * `SERVICE_CPU_PROF_DIR=<dir>`: every service started here runs under `node --cpu-prof` and writes its profile
 * in a folder named after it when it exits gracefully (a benchmark's servers, to see where their CPU goes; `bench/profile/cpuprofile.ts`
 * reads it).
 */
function profileArgs(label: string): string[] {
  const dir = process.env.SERVICE_CPU_PROF_DIR;
  // A folder per service: node names each thread's profile itself (pid, thread), and tsx's loader is a thread too.
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, label)}`] : [];
}

export interface ServiceProcessOptions {
  service: ServiceName;
  /** Label for messages and logs, e.g. `chat-server-a`. */
  label?: string;
  port?: number;
  env?: Record<string, string | undefined>;
  /** Echo the child's output to this process (npm start). */
  inheritOutput?: boolean;
  healthTimeoutMs?: number;
}

export interface ServiceProcess {
  label: string;
  port: number;
  url: string;
  readonly child: ChildProcess;
  /** Graceful: SIGTERM, then SIGKILL after the grace period. */
  stop: (graceMs?: number) => Promise<void>;
  /** kill -9, as a crash would. */
  kill: () => Promise<void>;
  /** Starts it again with the same port and environment. */
  start: () => Promise<void>;
  exited: () => boolean;
}

export async function waitForHealth(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before it was healthy`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => { setTimeout(r, 100); });
  }
  throw new Error(`not healthy within ${timeoutMs} ms (${last})`);
}

/**
 * Healthy is not enough for a chat server: it serves users once the
 * dispatcher's map gives it leaves. Waits until it does.
 */
export async function waitForPlacement(
  dispatcherUrl: string,
  internalToken: string,
  serverId: string,
  timeoutMs = 20000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${dispatcherUrl}/dispatcher/servers`, {
        headers: { 'x-internal-token': internalToken }, signal: AbortSignal.timeout(2000),
      });
      const body = await res.json() as { map?: { leaves?: Record<string, string> } };
      if (Object.values(body.map?.leaves ?? {}).includes(serverId)) return;
    } catch {
      // the dispatcher may be starting or restarting; ask again
    }
    await new Promise((r) => { setTimeout(r, 100); });
  }
  throw new Error(`${serverId} was not placed in the dispatcher's map within ${timeoutMs} ms`);
}

export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const label = options.label ?? options.service;
  const port = options.port ?? await freePort();
  const url = `http://127.0.0.1:${port}`;
  const entry = path.join(ROOT, SERVICE_ENTRIES[options.service]);
  const env = {
    ...process.env, ...options.env, PORT: String(port),
  } as NodeJS.ProcessEnv;
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawnOwned(process.execPath, [...profileArgs(label), '--import', 'tsx', entry], {
      cwd: ROOT,
      env,
      stdio: options.inheritOutput ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    });
    const tail = options.inheritOutput ? () => '' : tailOutput(child, 40);
    try {
      await waitForHealth(url, options.healthTimeoutMs ?? 30000, child);
    } catch (err) {
      await stopProcess(child, 1000);
      throw new Error(`${label} did not start: ${(err as Error).message}\n${tail()}`);
    }
  };
  await start();

  const current = (): ChildProcess => {
    if (!child) throw new Error(`${label} was never started`);
    return child;
  };
  return {
    label,
    port,
    url,
    get child() { return current(); },
    stop: (graceMs = 10000) => stopProcess(current(), graceMs),
    kill: async () => {
      const c = current();
      if (c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((r) => { c.once('exit', r); });
      c.kill('SIGKILL');
      await gone;
    },
    start,
    exited: () => child === undefined || child.exitCode !== null || child.signalCode !== null,
  };
}
