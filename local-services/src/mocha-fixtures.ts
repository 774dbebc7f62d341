/**
 * Global mocha fixtures: one MongoDB-compatible server and one Redis for the
 * whole run, stopped afterwards even when tests fail, and started only when
 * the run needs them. A pure test file is named `*.unit.test.ts` and may use
 * neither; a run made only of such files (`npm run test:unit`, or
 * `npx mocha <a unit file>`) starts nothing, so it works on a machine with no
 * redis-server and no database.
 */
import { startMongo } from './mongo';
import type { RunningMongo } from './mongo';
import { startRedis } from './redis';
import type { RunningRedis } from './redis';
import { isUnitTestFile } from './test-env';

let mongo: RunningMongo | undefined;
let redis: RunningRedis | undefined;

interface LoadedSuite {
  file?: string;
  suites: LoadedSuite[];
}

/** The spec files mocha loaded (it loads them all before the global setup runs). */
const filesOf = (suite: LoadedSuite): string[] => [
  ...(suite.file ? [suite.file] : []),
  ...suite.suites.flatMap(filesOf),
];

export async function mochaGlobalSetup(this: { suite?: LoadedSuite }): Promise<void> {
  const files = this.suite ? filesOf(this.suite) : [];
  if (files.length > 0 && files.every(isUnitTestFile)) return;
  mongo = await startMongo();
  process.env.TEST_MONGO_URL = mongo.url;
  process.env.TEST_MONGO_KIND = mongo.kind;
  redis = await startRedis();
  process.env.TEST_REDIS_URL = redis.url;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await Promise.all([mongo?.destroy(), redis?.stop()]);
}
