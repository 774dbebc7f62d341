/**
 * `npm start` as a newcomer runs it: the whole system comes up, prints the
 * client's and the docs' URLs, works, stops on Ctrl-C, and a second start
 * finds the first one's data. A chat server that crashes comes back by itself.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnOwned } from '@chat/local-services';

const ROOT = path.resolve(__dirname, '..', '..');

interface Started {
  child: ChildProcess;
  output: () => string;
  urls: Record<string, string>;
}

function startSystem(dataDir: string): Promise<Started> {
  const child = spawnOwned(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    env: {
      ...process.env, CHAT_DATA_DIR: dataDir, LOG_DIR: path.join(dataDir, 'logs'), MONGO_URL: '', JWT_SECRET: '',
    },
  });
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not running after 90 s:\n${text}`)), 90000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        const grab = (label: string) => (text.match(new RegExp(`${label}:\\s+(http\\S+)`)) ?? [])[1] ?? '';
        resolve({
          child,
          output: () => text,
          urls: {
            client: grab('chat client'), docs: grab('API docs'), dispatcher: grab('dispatcher'), chat: grab('chat servers'),
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code} before running:\n${text}`)); });
  });
}

/** Resolves once `ready` holds, checking every 200 ms; fails after `timeoutMs` saying what it waited for. */
async function eventually(what: string, ready: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => { setTimeout(r, 200); });
  }
}

const healthy = async (url: string) => {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Holds `port` on 127.0.0.1 as soon as it is free, so whatever wants it next cannot listen. */
async function occupy(port: number): Promise<net.Server> {
  for (;;) {
    const server = net.createServer();
    const held = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (held) return server;
    await new Promise((r) => { setImmediate(r); });
  }
}

const exitOf = (child: ChildProcess): Promise<number | null> => (child.exitCode !== null
  ? Promise.resolve(child.exitCode)
  : new Promise((resolve) => { child.once('exit', (code) => resolve(code)); }));

function interrupt(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

describe('npm start', function () {
  this.timeout(240000);
  let dataDir: string;
  let running: Started | undefined;

  before(() => { dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-start-')); });
  afterEach(async () => {
    if (running && running.child.exitCode === null) await interrupt(running.child);
    running = undefined;
  });
  after(() => { fs.rmSync(dataDir, { recursive: true, force: true }); });

  it('runs the whole system, prints its URLs, and keeps its data across a restart', async () => {
    running = await startSystem(dataDir);
    const { urls } = running;
    assert.match(urls.client ?? '', /^http:\/\/localhost:\d+$/, running.output());
    assert.match(urls.docs ?? '', /\/docs$/);

    const page = await fetch(urls.client ?? '');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    assert.equal((await fetch(urls.docs ?? '')).status, 200);

    const api = (urls.docs ?? '').replace(/\/docs$/, '');
    const password = 'first run password';
    const reg = await fetch(`${api}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        up: '201900001', username: 'first', name: 'First Run', password,
      }),
    });
    assert.equal(reg.status, 201, await reg.clone().text());
    const { token } = await reg.json() as { token: string };
    const where = await fetch(`${urls.dispatcher}/chat/location`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(where.status, 200);

    assert.equal(await interrupt(running.child), 0, 'Ctrl-C stops everything cleanly');

    running = await startSystem(dataDir);
    const api2 = (running.urls.docs ?? '').replace(/\/docs$/, '');
    const login = await fetch(`${api2}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'first', password }),
    });
    assert.equal(login.status, 200, 'the user from the first run is still there');
  });

  it('restarts a chat server killed with kill -9, says so, and stops it with everything else', async () => {
    running = await startSystem(dataDir);
    const { output } = running;
    const chatUrl = (running.urls.chat ?? '').replace(/,$/, '');
    const pid = Number((output().match(/chat-a \(pid (\d+)\)/) ?? [])[1]);
    assert.ok(pid > 0 && chatUrl, `no pid or URL for chat-a in:\n${output()}`);
    assert.ok(await healthy(chatUrl));

    process.kill(pid, 'SIGKILL');
    await eventually('the restart line', () => /chat-a restarted \(pid \d+\)/.test(output()), 60000);
    assert.match(output(), /chat-a stopped unexpectedly \(killed by SIGKILL\); restarting in 1 s/);
    await eventually(`${chatUrl}/health answering`, () => healthy(chatUrl), 30000);
    const newPid = Number((output().match(/chat-a restarted \(pid (\d+)\)/) ?? [])[1]);
    assert.notEqual(newPid, pid);

    assert.equal(await interrupt(running.child), 0, 'Ctrl-C stops everything cleanly');
    assert.ok(!alive(newPid), 'the restarted chat server stopped with the rest');

    // Heartbeats and start-up health polls all through the run, none of them in the dispatcher's requests.log.
    const requests = fs.readFileSync(path.join(dataDir, 'logs', 'dispatcher', 'requests.log'), 'utf8');
    assert.match(requests, /"POST \/dispatcher\/servers HTTP\/1\.1" 200 /, 'registrations are logged');
    assert.doesNotMatch(requests, /heartbeat|GET \/health/);
  });

  it('gives up on a chat server that cannot come back: stops everything, says why, exits 1', async () => {
    running = await startSystem(dataDir);
    const { output, child } = running;
    const chatUrl = (running.urls.chat ?? '').replace(/,$/, '');
    const pid = Number((output().match(/chat-a \(pid (\d+)\)/) ?? [])[1]);
    const dispatcherPid = Number((output().match(/dispatcher \(pid (\d+)\)/) ?? [])[1]);
    assert.ok(alive(dispatcherPid), output());
    process.kill(pid, 'SIGKILL');
    // Its port taken, every restart of chat-a fails at once: a crash loop.
    const squatter = await occupy(Number(new URL(chatUrl).port));
    try {
      assert.equal(await exitOf(child), 1, output());
    } finally {
      squatter.close();
    }
    const text = output();
    assert.equal((text.match(/chat-a stopped unexpectedly/g) ?? []).length, 5, text);
    assert.match(text, /chat-a stopped unexpectedly \(did not come back: /);
    assert.match(text, /chat-a crashed 5 times within 60 s: giving up\. Stopping everything/);
    assert.match(text, /\[start\] stopped\./);
    assert.ok(!alive(dispatcherPid), 'the dispatcher stopped too');
  });
});
