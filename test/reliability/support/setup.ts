/**
 * Setting up a scenario on the real system quickly: users and groups made
 * through the data service's internal routes (the chat server's own register
 * route is rate-limited per IP, and hashing is the data service's cost either
 * way), tokens signed with the system's secret exactly as a chat server signs
 * them, and the stored messages read back for checks.
 */
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import type {
  CursorPage, Group, StoredMessage, User,
} from '@chat/shared';
import { startSystem } from '../../support/system';
import type { Account, SystemOptions, TestSystem } from '../../support/system';
import { pool } from './wait';

/** Setup costs kept low (the cheapest argon2id the data service accepts); limits lifted where a test does not probe them. */
export const RELIABILITY_ENV: Record<string, string> = {
  PASSWORD_HASH_MEMORY_KIB: '1024',
  AUTH_RATE_POINTS: '100000',
  MAX_CONNECTIONS_PER_IP: '100000',
  PRESENCE_GRACE_MS: '1500',
  PRESENCE_FLUSH_MS: '500',
};

export function startReliabilitySystem(options: SystemOptions): Promise<TestSystem> {
  return startSystem({ ...options, env: { ...RELIABILITY_ENV, ...options.env } });
}

export interface InternalAnswer<T> {
  status: number;
  body: T;
}

/** A call to the data service with the internal token. */
export async function internal<T>(
  system: TestSystem,
  method: string,
  route: string,
  body?: unknown,
): Promise<InternalAnswer<T>> {
  if (!system.data) throw new Error('system not started');
  const res = await fetch(`${system.data.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-internal-token': system.secrets.INTERNAL_TOKEN },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function internalOk<T>(system: TestSystem, method: string, route: string, body?: unknown): Promise<T> {
  const answer = await internal<T>(system, method, route, body);
  if (answer.status >= 300) throw new Error(`${method} ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** `count` user numbers of `digits` digits, random per run so runs on one Redis never share a user. */
export function freshUps(count: number, digits = 7): string[] {
  const base = crypto.randomInt(1, 9) * 10 ** (digits - 1) + crypto.randomInt(0, 10 ** (digits - 2)) * 10;
  return Array.from({ length: count }, (_, i) => String(base + i));
}

export function signToken(
  system: TestSystem,
  up: string,
  options: { secret?: string; expiresIn?: number; username?: string } = {},
): string {
  return jwt.sign({ username: options.username ?? `u${up}` }, options.secret ?? system.secrets.JWT_SECRET, {
    algorithm: 'HS256', expiresIn: options.expiresIn ?? 3600, subject: up,
  });
}

export async function createAccounts(system: TestSystem, ups: string[], concurrency = 6): Promise<Account[]> {
  return pool(ups, concurrency, async (up) => {
    const user = await internalOk<User>(system, 'POST', '/user', {
      up, username: `u${up}`, name: `User ${up}`, password: `password-${up}`,
    });
    return { up, token: signToken(system, up), user };
  });
}

export async function createGroupDirect(system: TestSystem, name: string, ups: string[]): Promise<string> {
  const group = await internalOk<Group>(system, 'POST', '/group', { name, users: ups, createdBy: ups[0] });
  return group.id;
}

/** Every stored message of a group, oldest first, through the cursor route. */
export async function storedMessages(system: TestSystem, group: string): Promise<StoredMessage[]> {
  const all: StoredMessage[] = [];
  for (;;) {
    const after = all.length > 0 ? (all[all.length - 1] as StoredMessage).seq : 0;
    const page = await internalOk<CursorPage<StoredMessage>>(system, 'GET', `/group/${group}/messages?after=${after}&limit=100`);
    all.push(...page.items);
    if (!page.hasMore || page.items.length === 0) return all;
  }
}
