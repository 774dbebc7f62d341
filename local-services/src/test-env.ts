/**
 * What the global mocha fixtures started, for test files to use: each test file
 * takes a database of its own on the shared server. Pure test files
 * (`*.unit.test.ts`) run without either, so these refuse them with a clear word.
 */
import crypto from 'node:crypto';
import { withDatabase } from './mongo';

export const isUnitTestFile = (file: string): boolean => file.endsWith('.unit.test.ts');

const missing = (what: string) => new Error(
  `${what} is not set: this test needs a database, so it cannot be a *.unit.test.ts file `
  + '(a run of unit files only starts none); run it with `npm test` or `npx mocha <file>`',
);

export function testMongoUrl(label: string): string {
  const base = process.env.TEST_MONGO_URL;
  if (!base) throw missing('TEST_MONGO_URL');
  const safe = label.replace(/[^a-zA-Z0-9]/g, '_').slice(0, 30);
  return withDatabase(base, `t_${safe}_${crypto.randomBytes(3).toString('hex')}`);
}

export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw missing('TEST_REDIS_URL');
  return url;
}
