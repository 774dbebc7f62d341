/**
 * Keeps `npm start`'s processes running: a process that exits when nobody
 * asked it to is restarted as the restart policy says, and every crash, restart
 * and the final giving up is reported to the caller, who prints it.
 */
import type { ChildProcess } from 'node:child_process';
import { DEFAULT_RESTART_POLICY, decideAfterCrash } from './restart-policy';
import type { RestartDecision, RestartPolicy } from './restart-policy';

export interface Supervised {
  label: string;
  /** The running process; undefined when there is nothing local to watch (an external database). */
  child: () => ChildProcess | undefined;
  /** Starts it again with the same port and settings; resolves once it serves, rejects if it does not. */
  restart: () => Promise<void>;
}

export type SupervisorEvent =
  | { kind: 'crashed'; label: string; reason: string; decision: RestartDecision }
  | { kind: 'restarted'; label: string; pid: number | undefined }
  | { kind: 'gave-up'; label: string; recentCrashes: number; windowMs: number };

export interface Supervisor {
  watch: (service: Supervised) => void;
  /** Stops supervising (before a deliberate shutdown, so its exits are not crashes). */
  stop: () => void;
}

export interface SupervisorOptions {
  onEvent: (event: SupervisorEvent) => void;
  policy?: RestartPolicy;
  now?: () => number;
}

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

const exitReason = (code: number | null, signal: NodeJS.Signals | null) => (
  signal ? `killed by ${signal}` : `exited with code ${code ?? 'unknown'}`
);

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const policy = options.policy ?? DEFAULT_RESTART_POLICY;
  const now = options.now ?? Date.now;
  const crashTimes = new Map<string, number[]>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const onCrash = (service: Supervised, reason: string): void => {
    if (stopped) return;
    const at = now();
    const times = [...(crashTimes.get(service.label) ?? []), at].filter((t) => at - t < policy.windowMs);
    crashTimes.set(service.label, times);
    const decision = decideAfterCrash(times, at, policy);
    options.onEvent({
      kind: 'crashed', label: service.label, reason, decision,
    });
    if (decision.action === 'give-up') {
      stopped = true;
      options.onEvent({
        kind: 'gave-up', label: service.label, recentCrashes: decision.recentCrashes, windowMs: policy.windowMs,
      });
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopped) return;
      service.restart().then(() => {
        if (stopped) return;
        options.onEvent({ kind: 'restarted', label: service.label, pid: service.child()?.pid });
        // eslint-disable-next-line @typescript-eslint/no-use-before-define
        watch(service);
      }, (err: Error) => onCrash(service, `did not come back: ${err.message.split('\n')[0] ?? ''}`));
    }, decision.delayMs);
    timers.add(timer);
  };

  function watch(service: Supervised): void {
    const child = service.child();
    if (!child) return;
    if (hasExited(child)) {
      onCrash(service, exitReason(child.exitCode, child.signalCode));
      return;
    }
    child.once('exit', (code, signal) => onCrash(service, exitReason(code, signal)));
  }

  return {
    watch,
    stop: () => {
      stopped = true;
      timers.forEach((t) => clearTimeout(t));
      timers.clear();
    },
  };
}
