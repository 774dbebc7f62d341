/**
 * Processes the bench starts: generators and baseline servers forked with an
 * IPC channel (typed request/response), every one tracked so that a finally
 * or the runner's exit kills it, and each bounded in time by its own watchdog.
 */
import { execFileSync, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A command set: name → argument and result types. */
export type Commands = Record<string, { args: unknown; result: unknown }>;

interface Request { id: number; cmd: string; args: unknown }
interface Response { id: number; ok: boolean; result?: unknown; error?: string }
interface ReadyEvent { ready: true; info: unknown }

interface Waiter { resolve: (v: unknown) => void; reject: (e: Error) => void }

const BENCH_DIR = path.resolve(__dirname, '..');
const live = new Set<ChildProcess>();
let exitHook = false;

function track(child: ChildProcess): void {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => { live.forEach((c) => { if (c.exitCode === null) c.kill('SIGKILL'); }); });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

const isResponse = (m: unknown): m is Response => typeof m === 'object' && m !== null
  && typeof (m as Response).id === 'number' && typeof (m as Response).ok === 'boolean';
const isReady = (m: unknown): m is ReadyEvent => typeof m === 'object' && m !== null && (m as ReadyEvent).ready === true;

export interface ChildHandle<C extends Commands, I = unknown> {
  readonly child: ChildProcess;
  readonly pid: number;
  /** What the child announced when ready (e.g. its port). */
  readonly info: I;
  call<K extends keyof C & string>(cmd: K, args: C[K]['args'], timeoutMs?: number): Promise<C[K]['result']>;
  /** SIGTERM, SIGKILL after a grace period; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (a crash); resolves once it is gone. */
  kill(): Promise<void>;
}

export interface ForkOptions {
  /** The child exits by itself after this long whatever happens (watchdog). */
  maxMs: number;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

/** Forks `bench/<file>` (TypeScript, through tsx) and waits for its ready announcement. */
export async function forkChild<C extends Commands, I = unknown>(
  file: string,
  options: ForkOptions,
): Promise<ChildHandle<C, I>> {
  const child = fork(path.join(BENCH_DIR, file), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...options.env, BENCH_MAX_MS: String(options.maxMs) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  track(child);
  const pending: Map<number, Waiter> = new Map();
  let nextId = 1;
  const failAll = (why: string) => {
    pending.forEach((p) => p.reject(new Error(why)));
    pending.clear();
  };
  child.on('message', (m: unknown) => {
    if (!isResponse(m)) return;
    const waiter = pending.get(m.id);
    if (!waiter) return;
    pending.delete(m.id);
    if (m.ok) waiter.resolve(m.result); else waiter.reject(new Error(m.error ?? 'failed'));
  });
  child.once('exit', (code, signal) => failAll(`${file} exited (${code ?? signal})`));

  const info = await new Promise<I>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} not ready in time`)), options.readyTimeoutMs ?? 30000);
    const onMessage = (m: unknown) => {
      if (!isReady(m)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m.info as I);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${file} exited (${code}) before ready`)); });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });

  const stop = (graceMs = 3000) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });

  return {
    child,
    pid: child.pid ?? -1,
    info,
    call: (cmd, args, timeoutMs = 120000) => new Promise((resolve, reject) => {
      const id = nextId;
      nextId += 1;
      const timer = setTimeout(() => { pending.delete(id); reject(new Error(`${file}: ${cmd} timed out`)); }, timeoutMs);
      pending.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v as never); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      const request: Request = { id, cmd, args };
      if (!child.connected) { pending.get(id)?.reject(new Error(`${file} is gone`)); pending.delete(id); return; }
      child.send(request, (err) => {
        if (!err) return;
        pending.get(id)?.reject(err);
        pending.delete(id);
      });
    }),
    stop,
    kill: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}

/** Kills every child still alive (the runner's finally). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) { resolve(); return; }
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  })));
}

type Handlers<C extends Commands> = { [K in keyof C]: (args: C[K]['args']) => Promise<C[K]['result']> };

/**
 * The child side: answers commands, announces `info` when ready, exits when
 * the parent goes away or when BENCH_MAX_MS runs out.
 */
export function serveCommands<C extends Commands>(handlers: Handlers<C>, info: unknown = {}): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('this file is forked by the bench runner, not run directly');
  const maxMs = Number(process.env.BENCH_MAX_MS) || 600000;
  setTimeout(() => {
    process.stderr.write(`${path.basename(process.argv[1] ?? 'child')}: watchdog after ${maxMs} ms\n`);
    process.exit(3);
  }, maxMs).unref();
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  process.on('message', (m: unknown) => {
    const req = m as Request;
    if (typeof req?.id !== 'number' || typeof req.cmd !== 'string') return;
    const handler = (handlers as Record<string, (a: unknown) => Promise<unknown>>)[req.cmd];
    const reply = (r: Response) => { if (process.connected) send(r); };
    if (!handler) { reply({ id: req.id, ok: false, error: `unknown command ${req.cmd}` }); return; }
    handler(req.args).then(
      (result) => reply({ id: req.id, ok: true, result }),
      (err: unknown) => reply({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  send({ ready: true, info });
}

/** The open-files limit of this process (soft). */
export function fileLimit(): number {
  const limits = fs.readFileSync('/proc/self/limits', 'utf8');
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  return !match || match[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(match[1]);
}

/**
 * Raises this process's open-files limit (children inherit it) when allowed
 * (root, or a hard limit above the soft one); returns the limit in force.
 */
export function raiseFileLimit(wanted: number): number {
  if (fileLimit() >= wanted) return fileLimit();
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${wanted}:${wanted}`], { stdio: 'ignore' });
  } catch {
    // Not permitted: the caller sizes scenarios to the limit in force.
  }
  return fileLimit();
}
