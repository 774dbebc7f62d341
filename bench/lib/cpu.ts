/**
 * CPU time and memory of processes, read from /proc (Linux), so the runner can
 * charge work to each server, Redis, the database and the generators apart.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU seconds a process has used so far, or null when it is gone. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / clockTicks();
  } catch {
    return null;
  }
}

/** Resident memory in bytes, or null when the process is gone. */
export function rssBytesOf(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The first process whose command line contains every one of `parts` (e.g. a server's port). */
export function findPid(...parts: string[]): number | undefined {
  const found = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).find((d) => {
    try {
      const cmdline = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      return parts.every((p) => cmdline.includes(p));
    } catch {
      return false;
    }
  });
  return found === undefined ? undefined : Number(found);
}

/** Busy and total jiffies of the whole machine. */
function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export interface CpuUse {
  /** CPU seconds used in the interval. */
  seconds: number;
  /** Percent of one core over the interval. */
  percentOfCore: number;
}

export interface CpuDelta {
  wallSeconds: number;
  /** Per named process. */
  processes: Record<string, CpuUse>;
  /** Busy percent of the whole machine (all cores). */
  machineBusyPercent: number;
}

export type PidSource = () => number | undefined;

/**
 * Watches named processes; `delta()` answers what each used since the last
 * `start()`. A pid given as a function is re-read each time (a restarted server).
 */
export class CpuMeter {
  private startWall = 0;

  private startMachine = { busy: 0, total: 0 };

  private readonly startCpu = new Map<string, { pid: number; seconds: number }>();

  constructor(private readonly pids: Record<string, PidSource>) {}

  start(): this {
    this.startWall = performance.now();
    this.startMachine = machineTicks();
    this.startCpu.clear();
    Object.entries(this.pids).forEach(([name, source]) => {
      const pid = source();
      const seconds = pid === undefined ? null : cpuSecondsOf(pid);
      if (pid !== undefined && seconds !== null) this.startCpu.set(name, { pid, seconds });
    });
    return this;
  }

  delta(): CpuDelta {
    const wallSeconds = Math.max(1e-3, (performance.now() - this.startWall) / 1000);
    const machine = machineTicks();
    const processes: Record<string, CpuUse> = {};
    Object.entries(this.pids).forEach(([name, source]) => {
      const pid = source();
      const now = pid === undefined ? null : cpuSecondsOf(pid);
      if (pid === undefined || now === null) return;
      const before = this.startCpu.get(name);
      // A process that restarted since start() is charged from zero.
      const seconds = before && before.pid === pid ? now - before.seconds : now;
      processes[name] = { seconds, percentOfCore: (100 * seconds) / wallSeconds };
    });
    const totalTicks = machine.total - this.startMachine.total;
    return {
      wallSeconds,
      processes,
      machineBusyPercent: totalTicks > 0 ? (100 * (machine.busy - this.startMachine.busy)) / totalTicks : 0,
    };
  }
}

/** CPU the calling process used since `since` (process.cpuUsage), in seconds. */
export function ownCpuSeconds(since?: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

export const coreCount = (): number => os.cpus().length;
