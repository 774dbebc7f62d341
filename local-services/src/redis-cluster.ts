/**
 * A local Redis Cluster for tests and benchmarks, from the machine's
 * `redis-server` and `redis-cli`: 3 primaries and 3 replicas on free ports
 * (cluster bus ports chosen free too), each in a temporary folder that goes
 * away with it. `stop()` always takes every node down.
 */
import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  freePort, spawnOwned, stopProcess, tailOutput, waitForPort, which,
} from './processes';

const run = promisify(execFile);

export interface RedisClusterNode {
  port: number;
  /** Last known role; `primaries()` asks the cluster. */
  child: ChildProcess;
}

export interface RunningRedisCluster {
  /** `127.0.0.1:port` of every node, as REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  /** The value for REDIS_CLUSTER_NODES. */
  nodesEnv: string;
  /** Ports of the nodes that are primaries now, with the number of slots each serves. */
  primaries: () => Promise<{ port: number; slots: number }[]>;
  /** SIGKILLs the node on `port` (a crash, not a shutdown). */
  kill: (port: number) => Promise<void>;
  /** Resolves once every live node reports cluster_state:ok and the same layout, with every slot served. */
  waitHealthy: (timeoutMs?: number) => Promise<void>;
  stop: () => Promise<void>;
}

export const redisClusterAvailable = (): boolean => Boolean(which('redis-server') && which('redis-cli'));

const sleep = (ms: number) => new Promise((r) => { setTimeout(r, ms); });

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 });
  return stdout;
}

/** `CLUSTER NODES` of a live node: each primary's port and its slot count (failed nodes left out). */
async function primariesSeenBy(port: number): Promise<{ port: number; slots: number }[]> {
  const lines = (await cli(port, 'cluster', 'nodes')).split('\n').filter(Boolean);
  return lines.flatMap((line) => {
    const [, address = '', flags = '', , , , , , ...ranges] = line.split(' ');
    if (!flags.includes('master') || flags.includes('fail')) return [];
    const slots = ranges.filter((r) => !r.startsWith('[')).reduce((sum, r) => {
      const [from, to] = r.split('-').map(Number);
      return sum + (to === undefined ? 1 : to - (from ?? 0) + 1);
    }, 0);
    return slots > 0 ? [{ port: Number(address.split(':')[1]?.split('@')[0]), slots }] : [];
  });
}

export async function startRedisCluster(
  options: { primaries?: number; nodeTimeoutMs?: number; startTimeoutMs?: number } = {},
): Promise<RunningRedisCluster> {
  const server = which('redis-server');
  if (!server || !which('redis-cli')) {
    throw new Error('a Redis Cluster needs redis-server and redis-cli (Debian/Ubuntu: apt-get install redis-server)');
  }
  const count = (options.primaries ?? 3) * 2;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60000);
  const dirs: string[] = [];
  const nodes: RedisClusterNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => stopProcess(node.child, 2000)));
    dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
  };
  const live = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);

  const waitHealthy = async (timeoutMs = 30000) => {
    const until = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < until) {
      try {
        const infos = await Promise.all(live().map((n) => cli(n.port, 'cluster', 'info')));
        // Every node must tell the same layout, or a client may learn a stale one and be MOVED.
        const views = await Promise.all(live().map(async (n) => JSON.stringify(
          (await primariesSeenBy(n.port)).sort((a, b) => a.port - b.port),
        )));
        const served = (JSON.parse(views[0] ?? '[]') as { slots: number }[]).reduce((sum, p) => sum + p.slots, 0);
        const agreed = views.every((view) => view === views[0]);
        if (infos.every((info) => info.includes('cluster_state:ok')) && served === 16384 && agreed) return;
        last = `state ${infos.map((info) => /cluster_state:(\w+)/.exec(info)?.[1]).join(',')}, ${served} slots served, `
          + `${agreed ? 'one layout' : 'nodes disagree on the layout'}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(100);
    }
    throw new Error(`the Redis Cluster did not become healthy within ${timeoutMs} ms (${last})`);
  };

  try {
    for (let i = 0; i < count; i += 1) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-cluster-'));
      dirs.push(dir);
      const [port, busPort] = [await freePort(), await freePort()];
      const child = spawnOwned(server, [
        '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1',
        '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, 'nodes.conf'),
        '--cluster-node-timeout', String(nodeTimeoutMs), '--dir', dir,
        '--save', '', '--appendonly', 'no', '--protected-mode', 'yes',
      ]);
      const tail = tailOutput(child);
      nodes.push({ port, child });
      await waitForPort(port, { child, timeoutMs: Math.max(1000, deadline - Date.now()) })
        .catch((err: Error) => { throw new Error(`${err.message}\n${tail()}`); });
    }
    await run('redis-cli', [
      '--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes',
    ], { timeout: Math.max(1000, deadline - Date.now()) });
    await waitHealthy(Math.max(1000, deadline - Date.now()));
    // Every replica attached to its primary, so a failover has someone to promote.
    const until = deadline;
    for (;;) {
      const infos = await Promise.all(nodes.map((n) => cli(n.port, 'info', 'replication')));
      const attached = infos.filter((info) => info.includes('role:slave') && info.includes('master_link_status:up'));
      if (attached.length === count / 2) break;
      if (Date.now() > until) throw new Error('the Redis Cluster replicas did not attach in time');
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  return {
    nodes: addresses,
    nodesEnv: addresses.join(','),
    primaries: async () => {
      const first = live()[0];
      return first ? primariesSeenBy(first.port) : [];
    },
    kill: async (port) => {
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`no cluster node on port ${port}`);
      await new Promise<void>((resolve) => {
        if (node.child.exitCode !== null || node.child.signalCode !== null) { resolve(); return; }
        node.child.once('exit', () => resolve());
        node.child.kill('SIGKILL');
      });
    },
    waitHealthy,
    stop,
  };
}
