/**
 * Fan-out on a Redis Cluster (`--quick --only fanout --redis cluster`), as a
 * child process: ours and bare Socket.IO each sweep the room on a local Redis
 * Cluster the run starts, the result names both with deliveries, latency and
 * CPU, and every cluster node is gone afterwards — also when the run is
 * interrupted with SIGINT in the middle of the scenario.
 */
import { spawn } from 'node:child_process';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ScenarioResult } from '../lib/report';

const ROOT = path.resolve(__dirname, '..', '..');
const LIMIT_MS = 170000;

interface Finished { code: number | null; signal: string | null; output: string; nodes: string[] }

/** Runs the bench; `onNodes` is called once the run prints its Redis Cluster's nodes. */
function runBench(args: string[], onNodes?: (stop: () => void) => void): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let nodes: string[] = [];
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20000);
      const found = /Redis Cluster nodes (\S+)/.exec(output);
      if (found && nodes.length === 0) {
        nodes = (found[1] ?? '').split(',');
        onNodes?.(() => child.kill('SIGINT'));
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), LIMIT_MS);
    const killer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS + 15000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({
        code, signal, output, nodes,
      });
    });
  });
}

/** True when something accepts connections on `host:port`. */
function listening(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** Every node's port closed (a node SIGKILLed as the runner exits may take a moment to let go of it). */
async function assertStopped(nodes: string[], output: string): Promise<void> {
  assert.equal(nodes.length, 6, `the run did not print its 6 Redis Cluster nodes:\n${output}`);
  let open = nodes;
  for (let i = 0; i < 50 && open.length > 0; i += 1) {
    if (i > 0) await new Promise((r) => { setTimeout(r, 100); });
    open = (await Promise.all(open.map(async (n) => ((await listening(n)) ? [n] : [])))).flat();
  }
  assert.deepEqual(open, [], `Redis Cluster nodes still listening after the run:\n${output}`);
}

interface StepJson {
  achievedDeliveriesPerSecond: number;
  cpuMsPer1000Deliveries: number;
  sendToReceiveMs: { p50: number; p99: number };
}
interface SweepJson { name: string; steps: StepJson[] }

describe('bench fan-out on a Redis Cluster', function () {
  this.timeout(LIMIT_MS + 30000);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-'));
  after(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('sweeps ours and bare Socket.IO on a cluster it starts, and stops the cluster after', async () => {
    const run = await runBench(['--quick', '--only', 'fanout', '--redis', 'cluster', '--out', outDir]);
    assert.equal(run.signal, null, `killed after ${LIMIT_MS} ms:\n${run.output}`);
    assert.equal(run.code, 0, `exited ${run.code}:\n${run.output}`);
    const result = JSON.parse(fs.readFileSync(path.join(outDir, 'fanout.json'), 'utf8')) as ScenarioResult;
    assert.equal(result.error, undefined);
    assert.match(result.run.redis, /Redis Cluster/);
    const ours = (result.ours as Record<string, SweepJson>)['ours on Redis Cluster'];
    const bare = result.baselines['bare Socket.IO on Redis Cluster'] as SweepJson | undefined;
    [ours, bare].forEach((sweep) => {
      assert.ok(sweep && sweep.steps.length > 0, `no steps:\n${run.output}`);
      const [first] = sweep.steps;
      assert.ok(first && first.achievedDeliveriesPerSecond > 0, `${sweep.name} delivered nothing`);
      assert.ok(first.sendToReceiveMs.p99 >= first.sendToReceiveMs.p50);
      assert.ok(first.cpuMsPer1000Deliveries > 0, `${sweep.name}: no CPU charged`);
    });
    assert.ok('ours on Redis Cluster: sustained deliveries/s ÷ bare Socket.IO on Redis Cluster' in result.ratios);
    await assertStopped(run.nodes, run.output);
  });

  it('stops every cluster node when the run is interrupted in the middle', async () => {
    const run = await runBench(
      ['--quick', '--only', 'fanout', '--redis', 'cluster', '--out', path.join(outDir, 'interrupted')],
      (stop) => stop(),
    );
    assert.equal(run.code, 130, `expected the runner's SIGINT exit:\n${run.output}`);
    await assertStopped(run.nodes, run.output);
  });
});
