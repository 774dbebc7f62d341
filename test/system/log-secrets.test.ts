/**
 * No log line of any service contains a password, a token or a password hash,
 * after the things that carry them: registering, logging in (right and wrong),
 * connecting sockets and calling REST with tokens, including forged ones.
 */
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { startSystem } from '../support/system';
import type { TestSystem } from '../support/system';

describe('logs keep secrets out', function () {
  this.timeout(90000);
  let system: TestSystem;

  before(async () => { system = await startSystem({ chatServers: 1, label: 'log secrets' }); });
  after(async () => { await system?.close(); });

  it('writes no password, token or hash in any service log', async () => {
    const password = 'Pa55word-that-must-not-leak';
    const accounts = await Promise.all(['9001', '9002'].map(async (up) => {
      const res = await fetch(`${system.apiUrl}/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          up, username: `u${up}`, name: `U ${up}`, password,
        }),
      });
      assert.equal(res.status, 201);
      return res.json() as Promise<{ token: string }>;
    }));
    const wrong = await fetch(`${system.apiUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'u9001', password: 'Wrong-password-also-secret' }),
    });
    assert.equal(wrong.status, 401);
    const tokens = accounts.map((a) => a.token);
    const forged = `${tokens[0]?.slice(0, -4)}abcd`;
    await fetch(`${system.apiUrl}/chat/groups`, { headers: { authorization: `Bearer ${forged}` } });
    await fetch(`${system.apiUrl}/chat/groups?token=${tokens[1]}`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    const located = await system.locate(tokens[0] ?? '');
    const socket = io(located.url, { auth: { token: tokens[0] }, transports: ['polling'], forceNew: true });
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
    socket.disconnect();
    const bad = io(located.url, { auth: { token: forged }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve) => { bad.once('connect_error', () => resolve()); });
    bad.disconnect();
    await new Promise((r) => { setTimeout(r, 500); });

    const logs = system.readLogs();
    assert.ok(logs.length > 0, 'the services wrote logs');
    [password, 'Wrong-password-also-secret', ...tokens, forged].forEach((secret) => {
      assert.ok(!logs.includes(secret), `a log line contains a secret (${secret.slice(0, 12)}…)`);
    });
    assert.doesNotMatch(logs, /\$argon2|\$2[aby]\$/, 'a log line contains a password hash');
    assert.doesNotMatch(logs, /eyJ[\w-]+\.[\w-]+\.[\w-]+/, 'a log line contains a JWT');
  });
});
