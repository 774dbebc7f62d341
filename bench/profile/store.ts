/**
 * The store path alone, to find where CPU per stored message goes:
 *
 *   node --import tsx bench/profile/store.ts [--rate 1000] [--seconds 10] [--groups 200] [--prof DIR]
 *
 * Starts the database and the data service (nothing else), creates `groups`
 * groups of 10, then plays two chat servers' send batchers (the real one,
 * server/src/messages/send-batcher.ts, over the real data client) at `rate` messages a
 * second for `seconds`, on 127.0.0.1. Prints CPU ms per stored message of the
 * data service and of the database, the database commands per message with
 * the time waited for them (the data service's own command counters, read from
 * its /metrics before and after the window), and send → stored p50
 * and p99 (the window starts once the warm-up's background writes are done).
 * With `--prof DIR` the
 * data service runs in its own process under `node --cpu-prof` and its top
 * self-time functions are printed. With FERRETDB_PPROF_ADDR=127.0.0.1:PORT in
 * the environment, the database's own CPU profile of the window is saved too.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  freePort, spawnOwned, startMongo, stopProcess, waitForHealth,
} from '@chat/local-services';
import { loadConfig } from '@chat/mongo-chat-server/src/config';
import { startDataService } from '@chat/mongo-chat-server/src/service';
import { createDataClient } from '@chat/server/src/data/client';
import { createSendBatcher } from '@chat/server/src/messages/send-batcher';
import { sleep } from '../lib/clock';
import { CpuMeter, cpuSecondsOf } from '../lib/cpu';
import { stopAllChildren } from '../lib/processes';
import { commandsSince, databaseCommands } from '../lib/scrape';
import { Histogram, round } from '../lib/stats';
import {
  createGroup, seedUsers, startBenchSystem, systemPids,
} from '../lib/system';
import { topFunctions } from './cpuprofile';

const GROUP_SIZE = 10;
const BATCH_MAX = 50;

interface Args { rate: number; seconds: number; groups: number; prof: string }

function parseArgs(argv: string[]): Args {
  const args: Args = {
    rate: 1000, seconds: 10, groups: 200, prof: '',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value = ''] = [argv[i], argv[i + 1]];
    if (flag === '--prof') args.prof = path.resolve(value);
    else if (flag === '--rate' || flag === '--seconds' || flag === '--groups') {
      const n = Number(value);
      if (!(n > 0 && n <= 100000)) throw new Error(`${flag} takes a positive number`);
      args[flag.slice(2) as 'rate' | 'seconds' | 'groups'] = n;
    } else throw new Error(`unknown argument ${flag} (expected --rate, --seconds, --groups, --prof)`);
  }
  if (args.seconds > 60) throw new Error('--seconds is at most 60');
  return args;
}

/**
 * With FERRETDB_PPROF_ADDR set (the launcher then serves Go's profiler there), records the database's own CPU
 * profile over the measured window; answers the file it wrote, or nothing.
 */
async function profileDatabase(seconds: number): Promise<string | undefined> {
  const addr = process.env.FERRETDB_PPROF_ADDR;
  if (!addr) return undefined;
  try {
    const res = await fetch(`http://${addr}/debug/pprof/profile?seconds=${Math.ceil(seconds)}`);
    if (!res.ok) throw new Error(`status ${res.status}`);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ferretdb-prof-')), 'cpu.pb.gz');
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return file;
  } catch (err) {
    process.stderr.write(`no database profile from ${addr}: ${String(err)}\n`);
    return undefined;
  }
}

/** Waits (up to 60 s) until the process uses under 5 % of a core over half a second. */
async function waitQuiet(pidOf: () => number | undefined): Promise<void> {
  const deadline = Date.now() + 60000;
  await sleep(1000);
  while (Date.now() < deadline) {
    const pid = pidOf();
    const before = pid === undefined ? null : cpuSecondsOf(pid);
    await sleep(500);
    const after = pid === undefined ? null : cpuSecondsOf(pid);
    if (before === null || after === null || after - before < 0.025) return;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const mongo = await startMongo({});
  process.env.TEST_MONGO_URL = mongo.url;
  process.env.TEST_MONGO_KIND = mongo.kind;
  const system = await startBenchSystem({
    label: 'profile-store', chatServers: 0, dispatchers: 0, privateRedis: true,
  });
  // A second data service on the same database takes the load: with --prof a process under
  // --cpu-prof (not allowed in NODE_OPTIONS), else one in this process, its commands counted.
  let local: Awaited<ReturnType<typeof startDataService>> | undefined;
  let profiled: ChildProcess | undefined;
  try {
    let dataUrl: string;
    const serviceEnv = {
      ...process.env, MONGO_URL: system.mongoUrl, INTERNAL_TOKEN: system.secrets.INTERNAL_TOKEN, LOG_LEVEL: 'warn',
    };
    if (args.prof) {
      const port = await freePort();
      dataUrl = `http://127.0.0.1:${port}`;
      profiled = spawnOwned(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${args.prof}`, '--import', 'tsx',
        'mongo-chat-server/src/index.ts'], { env: { ...serviceEnv, PORT: String(port) } });
      await waitForHealth(dataUrl, 30000, profiled);
    } else {
      const { config } = loadConfig({ ...serviceEnv, PORT: '0' });
      local = await startDataService({ ...config, warnings: [] });
      dataUrl = local.url;
    }
    const ups = Array.from({ length: args.groups * GROUP_SIZE }, (_, i) => String(5_000_000 + i));
    await seedUsers(system, ups);
    const groups: { id: string; members: string[] }[] = [];
    for (let g = 0; g < args.groups; g += 1) {
      const members = ups.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE);
      groups.push({ id: (await createGroup(system, `profile ${g}`, members, members[0])).id, members });
    }
    const data = createDataClient({ baseUrl: dataUrl, internalToken: system.secrets.INTERNAL_TOKEN });
    const batchers = [0, 1].map(() => createSendBatcher({
      store: (messages) => data.storeMessages(messages),
      intervalMs: 0,
      maxBatch: BATCH_MAX,
      afterStore: async () => undefined,
    }));
    let sent = 0;
    let stored = 0;
    let failed = 0;
    /** send → stored (the batcher resolves once the data service answered), ms, of the measured window. */
    let latencies: Histogram | undefined;
    const sendOne = () => {
      const group = groups[sent % groups.length] as { id: string; members: string[] };
      const from = group.members[Math.floor(sent / groups.length) % GROUP_SIZE] as string;
      const batcher = batchers[sent % batchers.length];
      sent += 1;
      const started = performance.now();
      const window = latencies;
      batcher?.send({
        group: group.id, from, message: `profile message ${sent} ${'x'.repeat(80)}`, clientId: `p-${sent}`,
      }).then(() => { stored += 1; window?.record(performance.now() - started); }, (err: unknown) => {
        if (failed === 0) process.stderr.write(`first failed send: ${String(err)}\n`);
        failed += 1;
      });
    };
    // Warm-up, one message from every member (as after their handshakes, the data service knows them all), then
    // the measured window.
    for (let i = 0; i < ups.length; i += 1) sendOne();
    await Promise.all(batchers.map((b) => b.drain()));
    const pids = systemPids(system);
    // The warm-up's background writes (read positions, hints, notifications) end before the window starts.
    await waitQuiet(() => (pids.database as () => number | undefined)());
    const commandsBefore = await databaseCommands(dataUrl, system.secrets.INTERNAL_TOKEN);
    const meter = new CpuMeter({
      'data service': () => profiled?.pid ?? process.pid,
      database: pids.database as () => number | undefined,
    }).start();
    const storedBefore = stored;
    latencies = new Histogram();
    const databaseProfile = profileDatabase(args.seconds);
    const total = Math.round(args.rate * args.seconds);
    const t0 = performance.now();
    let due = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const target = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * args.rate));
        while (due < target) { sendOne(); due += 1; }
        if (due >= total) { clearInterval(timer); resolve(); }
      }, 1);
    });
    await Promise.all(batchers.map((b) => b.drain()));
    // The hints saved in the background belong to these messages too.
    await sleep(2500);
    const cpu = meter.delta();
    const profileFile = await databaseProfile;
    if (profileFile) process.stdout.write(`database CPU profile of the window: go tool pprof -top -cum ${profileFile}\n`);
    const messages = stored - storedBefore;
    const perMessage = (name: string) => round((1000 * (cpu.processes[name]?.seconds ?? 0)) / Math.max(1, messages));
    process.stdout.write(`${messages} stored (${failed} failed) at ${args.rate} msg/s over ${args.groups} groups in ${round(cpu.wallSeconds)} s\n`);
    const latency = latencies.summary();
    process.stdout.write(`send → stored ms: p50 ${round(latency.p50)}, p99 ${round(latency.p99)}\n`);
    process.stdout.write(`CPU ms per stored message: data service ${perMessage('data service')}${
      args.prof ? '' : ' (includes the load in this process)'}, database ${perMessage('database')}\n`);
    const commands = commandsSince(commandsBefore, await databaseCommands(dataUrl, system.secrets.INTERNAL_TOKEN));
    process.stdout.write('database commands per stored message (and ms waited for them per message):\n');
    Object.entries(commands).sort((a, b) => b[1].seconds - a[1].seconds).forEach(([key, { count, seconds }]) => {
      const per = (n: number) => round(n / Math.max(1, messages));
      process.stdout.write(`  ${key}: ${count} (${per(count)} per message, ${per(1000 * seconds)} ms)\n`);
    });
  } finally {
    await local?.close();
    // SIGTERM: the service closes and exits, and node writes the profile.
    if (profiled) await stopProcess(profiled, 20000);
    await system.close();
    await stopAllChildren();
    await mongo.destroy();
  }
  if (args.prof) {
    const files = fs.readdirSync(args.prof).filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(args.prof, f))
      // The largest: tsx's loader thread writes a small profile of its own.
      .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
    const newest = files[0];
    if (!newest) throw new Error(`no .cpuprofile in ${args.prof}`);
    process.stdout.write(`top self time in ${newest}:\n${topFunctions(newest, 25)}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
