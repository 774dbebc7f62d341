/**
 * What the global mocha fixtures started, for test files to use: each test file
 * takes a database of its own on the shared server.
 */
import crypto from 'node:crypto';
import { withDatabase } from './mongo';

export function testMongoUrl(label: string): string {
  const base = process.env.TEST_MONGO_URL;
  if (!base) throw new Error('TEST_MONGO_URL is not set: run tests through `npm test`');
  const safe = label.replace(/[^a-zA-Z0-9]/g, '_').slice(0, 30);
  return withDatabase(base, `t_${safe}_${crypto.randomBytes(3).toString('hex')}`);
}

export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run tests through `npm test`');
  return url;
}
