/** CPU time and memory of a service process, from /proc (Linux). */
import fs from 'node:fs';
import { sleep } from './wait';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident memory in MB. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

/** Share of one core the process used over `ms` (0.25 = a quarter of a core). */
export async function cpuShare(pid: number, ms: number): Promise<number> {
  const before = cpuSeconds(pid);
  await sleep(ms);
  return Math.round(((cpuSeconds(pid) - before) / (ms / 1000)) * 1000) / 1000;
}

/** Samples CPU in windows of `windowMs` until one is under `idle`, or `timeoutMs` runs out; returns every sample. */
export async function waitForIdle(pid: number, idle: number, windowMs = 2000, timeoutMs = 30000): Promise<number[]> {
  const samples: number[] = [];
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const share = await cpuShare(pid, windowMs);
    samples.push(share);
    if (share < idle) break;
  }
  return samples;
}
