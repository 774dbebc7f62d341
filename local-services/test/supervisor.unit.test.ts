import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnOwned, stopProcess } from '../src/processes';
import { createSupervisor } from '../src/supervisor';
import type { Supervised, SupervisorEvent } from '../src/supervisor';

const FAST = {
  maxCrashes: 3, windowMs: 60000, initialDelayMs: 10, maxDelayMs: 40,
};

/** A real child process running `script`, restarted by spawning it again. */
function nodeProcess(label: string, script: string): Supervised & { stopNow: () => Promise<void> } {
  let child: ChildProcess | undefined;
  const spawnIt = () => { child = spawnOwned(process.execPath, ['-e', script]); };
  spawnIt();
  return {
    label,
    child: () => child,
    restart: async () => { spawnIt(); },
    stopNow: async () => { if (child) await stopProcess(child, 1000); },
  };
}

function collect() {
  const events: SupervisorEvent[] = [];
  const waiters: Array<{ kind: SupervisorEvent['kind']; resolve: (e: SupervisorEvent) => void }> = [];
  return {
    events,
    onEvent: (event: SupervisorEvent) => {
      events.push(event);
      waiters.filter((w) => w.kind === event.kind).forEach((w) => w.resolve(event));
    },
    next: (kind: SupervisorEvent['kind']) => new Promise<SupervisorEvent>((resolve) => { waiters.push({ kind, resolve }); }),
  };
}

const exited = (child: ChildProcess) => new Promise((resolve) => { child.once('exit', resolve); });

describe('supervisor', () => {
  it('restarts a process killed with SIGKILL and reports the crash and the restart', async () => {
    const service = nodeProcess('sleeper', 'setInterval(() => {}, 1000)');
    const seen = collect();
    const supervisor = createSupervisor({ onEvent: seen.onEvent, policy: FAST });
    supervisor.watch(service);
    const first = service.child();
    try {
      const restarted = seen.next('restarted');
      first?.kill('SIGKILL');
      const event = await restarted;
      assert.deepEqual(seen.events[0], {
        kind: 'crashed', label: 'sleeper', reason: 'killed by SIGKILL', decision: { action: 'restart', delayMs: 10, recentCrashes: 1 },
      });
      assert.equal(event.kind === 'restarted' && event.pid, service.child()?.pid);
      assert.notEqual(service.child()?.pid, first?.pid);
      assert.equal(service.child()?.exitCode, null, 'the new process runs');
    } finally {
      supervisor.stop();
      await service.stopNow();
    }
  });

  it('gives up on a process that crashes on every start', async () => {
    const service = nodeProcess('crasher', 'process.exit(3)');
    const seen = collect();
    const gaveUp = seen.next('gave-up');
    const supervisor = createSupervisor({ onEvent: seen.onEvent, policy: FAST });
    supervisor.watch(service);
    assert.deepEqual(await gaveUp, {
      kind: 'gave-up', label: 'crasher', recentCrashes: 3, windowMs: 60000,
    });
    assert.deepEqual(seen.events.map((e) => e.kind), ['crashed', 'restarted', 'crashed', 'restarted', 'crashed', 'gave-up']);
    assert.equal(seen.events[0]?.kind === 'crashed' && seen.events[0].reason, 'exited with code 3');
  });

  it('counts a restart that fails as another crash', async () => {
    const service = nodeProcess('broken', 'setInterval(() => {}, 1000)');
    const seen = collect();
    const gaveUp = seen.next('gave-up');
    const supervisor = createSupervisor({ onEvent: seen.onEvent, policy: FAST });
    supervisor.watch({ ...service, restart: async () => { throw new Error('port 4001 is taken\nmore detail'); } });
    service.child()?.kill('SIGKILL');
    await gaveUp;
    assert.deepEqual(seen.events.map((e) => e.kind === 'crashed' && e.reason).filter(Boolean), [
      'killed by SIGKILL', 'did not come back: port 4001 is taken', 'did not come back: port 4001 is taken',
    ]);
  });

  it('does not restart what it was told to stop supervising', async () => {
    const service = nodeProcess('stopped', 'setInterval(() => {}, 1000)');
    const seen = collect();
    const supervisor = createSupervisor({ onEvent: seen.onEvent, policy: FAST });
    supervisor.watch(service);
    supervisor.stop();
    const child = service.child();
    const gone = child ? exited(child) : Promise.resolve();
    child?.kill('SIGTERM');
    await gone;
    assert.deepEqual(seen.events, []);
  });
});
