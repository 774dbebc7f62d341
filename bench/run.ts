/**
 * `npm run bench [-- --quick] [-- --only fanout,latency] [-- --repeat 3] [-- --redis single,cluster] [-- --out DIR]`:
 * runs the scenarios in order, each bounded in time, against the real system
 * and its baselines on 127.0.0.1; writes <out>/<scenario>.json, summary.md and
 * fanout.svg. Quick mode writes to bench/results/quick unless --out is given.
 * `--repeat N` runs each scenario N times (a fresh cluster each) and reports
 * the median and spread of every figure and ratio, with the load average
 * before each repeat. `--redis` picks the Redis setups fan-out runs on (one
 * Redis, a local Redis Cluster of its own, or both in one run).
 */
import os from 'node:os';
import path from 'node:path';
import { startMongo } from '@chat/local-services';
import type { TestSystem } from '../test/support/system';
import { describeDatabase, describeRun } from './lib/environment';
import { raiseFileLimit, stopAllChildren } from './lib/processes';
import { RESULTS_DIR, writeResult, writeSummary } from './lib/report';
import type { ScenarioResult } from './lib/report';
import { combineRepeats, isBusy } from './lib/repeats';
import { startBenchSystem } from './lib/system';
import type {
  RedisKind, Scenario, ScenarioContext, ScenarioOutcome,
} from './scenarios/context';
import { SCENARIOS } from './scenarios';

interface Args {
  quick: boolean; only: string[]; out: string; repeat: number; redis: RedisKind[];
}

const REDIS_KINDS: RedisKind[] = ['single', 'cluster'];

const MAX_REPEAT = 9;

function parseArgs(argv: string[]): Args {
  const args: Args = {
    quick: false, only: [], out: '', repeat: 1, redis: [],
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const value = () => {
      i += 1;
      return argv[i] ?? '';
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--only') args.only = value().split(',').filter(Boolean);
    else if (a === '--out') args.out = path.resolve(value());
    else if (a === '--repeat') args.repeat = Number(value());
    else if (a === '--redis') args.redis = [...new Set(value().split(',').filter(Boolean))] as RedisKind[];
    else throw new Error(`unknown argument ${a} (expected --quick, --only <names>, --repeat <n>, --redis single,cluster, --out <dir>)`);
  }
  if (!Number.isInteger(args.repeat) || args.repeat < 1 || args.repeat > MAX_REPEAT) {
    throw new Error(`--repeat takes a whole number from 1 to ${MAX_REPEAT}`);
  }
  const badRedis = args.redis.filter((k) => !REDIS_KINDS.includes(k));
  if (badRedis.length > 0) throw new Error(`unknown --redis ${badRedis.join(', ')}; known: ${REDIS_KINDS.join(', ')}`);
  // Fan-out compares both in a full run; quick mode keeps to one Redis (its two-minute bound) unless told.
  if (args.redis.length === 0) args.redis = args.quick ? ['single'] : [...REDIS_KINDS];
  const known = SCENARIOS.map((s) => s.name);
  const unknown = args.only.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${known.join(', ')}`);
  args.out ||= args.quick ? path.join(RESULTS_DIR, 'quick') : RESULTS_DIR;
  return args;
}

const started = Date.now();
const log = (line: string) => process.stdout.write(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

/**
 * The two-chat-server cluster a scenario asks for: the contract's default
 * heartbeats, a Redis of its own, and a capacity no scenario reaches, so the
 * dispatcher never splits suffixes in the middle of a measurement.
 */
async function startCluster(label: string, redis: RedisKind = 'single'): Promise<TestSystem> {
  const system = await startBenchSystem({
    label,
    chatServers: 0,
    dispatchers: 1,
    privateRedis: redis === 'single',
    redisCluster: redis === 'cluster',
    capacity: 1_000_000,
    heartbeatTimeoutMs: 6000,
    heartbeatIntervalMs: 2000,
  });
  try {
    await Promise.all([system.addChatServer(), system.addChatServer()]);
    system.chatServers.sort((a, b) => a.id.localeCompare(b.id));
  } catch (err) {
    await system.close();
    throw err;
  }
  return system;
}

type BaseContext = Omit<ScenarioContext, 'defer' | 'cluster'>;

/** Runs one scenario within its budget; whatever happens, its processes and systems are stopped after. */
async function runScenario(
  scenario: Scenario,
  base: BaseContext,
  sharedCluster: (() => Promise<TestSystem>) | undefined,
): Promise<ScenarioOutcome> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const defer = (c: () => Promise<unknown>) => { cleanups.push(c); };
  const ctx: ScenarioContext = {
    ...base,
    defer,
    cluster: async (options = {}) => {
      const redis = options.redis ?? 'single';
      if (sharedCluster && redis === 'single') return sharedCluster();
      const system = await startCluster(redis === 'single' ? scenario.name : `${scenario.name}-redis-cluster`, redis);
      defer(() => system.close());
      return system;
    },
  };
  const budget = scenario.budgetMs(base.quick);
  let timer: NodeJS.Timeout | undefined;
  const work = scenario.run(ctx);
  try {
    return await Promise.race([work, new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new Error(`over its time budget of ${budget / 1000} s`)), budget);
    })]);
  } catch (err) {
    return {
      size: {}, ours: null, baselines: {}, ratios: {}, tables: [], goals: [], notes: [], error: (err as Error).message,
    };
  } finally {
    clearTimeout(timer);
    await stopAllChildren();
    await Promise.race([work.catch(() => {}), new Promise((r) => { setTimeout(r, 30000).unref(); })]);
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => log(`cleanup: ${(e as Error).message}`));
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const fileLimit = raiseFileLimit(65536);
  log(`${args.quick ? 'quick' : 'full'} run → ${args.out}; open-files limit ${fileLimit}`);
  const mongo = await startMongo({ log });
  let sharedCluster: Promise<TestSystem> | undefined;
  try {
    process.env.TEST_MONGO_URL = mongo.url;
    process.env.TEST_MONGO_KIND = mongo.kind;
    const source = {
      external: 'MONGO_URL', mongod: 'mongod started by the bench', ferretdb: 'embedded, started by the bench',
    }[mongo.kind];
    const fanoutOnCluster = args.redis.includes('cluster') && (args.only.length === 0 || args.only.includes('fanout'));
    const run = describeRun(args.quick, await describeDatabase(mongo.url, source), fileLimit, fanoutOnCluster);
    log(`database: ${run.database.kind} ${run.database.version}; ${run.machine.cores} cores`);
    const shared = () => {
      sharedCluster ??= startCluster('shared');
      return sharedCluster;
    };
    // --only runs the scenarios in the order it names them; a whole run keeps the standard order.
    const selected = args.only.length === 0 ? SCENARIOS
      : args.only.map((name) => SCENARIOS.find((s) => s.name === name) as Scenario);
    // The run as a whole is bounded too: past every budget plus a margin, exit (the hooks stop every child).
    const deadline = selected.reduce((ms, s) => ms + args.repeat * s.budgetMs(args.quick), 5 * 60000);
    setTimeout(() => {
      log(`over the run's bound of ${deadline / 1000} s: stopping`);
      process.exit(2);
    }, deadline).unref();
    // Fan-out on a Redis Cluster alone starts systems of its own: no shared one to start then.
    const usesShared = args.redis.includes('single') || selected.some((s) => s.name !== 'fanout');
    if (args.quick && usesShared) {
      // Started before the scenarios so that no scenario's time budget pays for it.
      log('starting the shared cluster (data service, dispatcher, 2 chat servers, Redis)');
      await shared();
    }
    const results: ScenarioResult[] = [];
    // The summary lists scenarios by their number (the run order differs: reconnect restarts a server).
    const byNumber = [...SCENARIOS].sort((a, b) => parseInt(a.title, 10) - parseInt(b.title, 10));
    for (const scenario of selected) {
      const repeats: ScenarioResult[] = [];
      const loads: number[] = [];
      for (let r = 1; r <= args.repeat; r += 1) {
        const load = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
        loads.push(load);
        const of = args.repeat > 1 ? ` (repeat ${r} of ${args.repeat})` : '';
        const busy = isBusy(load, run.machine.cores) ? ': the machine is busy, figures will suffer' : '';
        log(`scenario ${scenario.name}${of}: ${scenario.title}; load average ${load}${busy}`);
        const t0 = Date.now();
        // A repeat needs a cluster of its own: the shared one already holds the first run's users.
        const outcome = await runScenario(scenario, {
          quick: args.quick, redis: args.redis, run, outDir: args.out, log: (l) => log(`  ${scenario.name}: ${l}`),
        }, args.quick && r === 1 ? shared : undefined);
        repeats.push({
          scenario: scenario.name, title: scenario.title, run, durationSeconds: (Date.now() - t0) / 1000, ...outcome,
        });
      }
      const result = repeats.length > 1 ? combineRepeats(repeats, loads) : repeats[0] as ScenarioResult;
      results.push(result);
      log(`  → ${writeResult(result, args.out)}${result.error ? ` (error: ${result.error})` : ''}`);
      // After each scenario: a run stopped at its bound still leaves a summary of what finished.
      log(`summary → ${writeSummary(run, byNumber.map((s) => s.name), args.out)}`);
    }
    if (results.some((r) => r.error)) process.exitCode = 1;
  } finally {
    await stopAllChildren();
    if (sharedCluster) {
      log('stopping the shared cluster');
      await (await sharedCluster.catch(() => undefined))?.close();
    }
    await mongo.destroy();
    log('done');
  }
}

// Ctrl-C or a kill: exit through 'exit', whose hooks kill every child (services, generators, baselines).
['SIGINT', 'SIGTERM'].forEach((signal) => process.once(signal, () => {
  log(`${signal}: stopping`);
  process.exit(130);
}));

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exitCode = 1;
});
