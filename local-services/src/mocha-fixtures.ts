/**
 * Global mocha fixtures: one MongoDB-compatible server and one Redis for the
 * whole run, stopped afterwards even when tests fail.
 */
import { startMongo } from './mongo';
import type { RunningMongo } from './mongo';
import { startRedis } from './redis';
import type { RunningRedis } from './redis';

let mongo: RunningMongo | undefined;
let redis: RunningRedis | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  mongo = await startMongo();
  process.env.TEST_MONGO_URL = mongo.url;
  process.env.TEST_MONGO_KIND = mongo.kind;
  redis = await startRedis();
  process.env.TEST_REDIS_URL = redis.url;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await Promise.all([mongo?.destroy(), redis?.stop()]);
}
