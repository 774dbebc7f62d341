/**
 * scripts/build.ts really builds: the data service is bundled into a temporary folder laid
 * out like the image (bundle at <root>/<part>/dist, swagger.yaml and node_modules at
 * <root>), and that bundle starts in production mode against the test database and
 * answers /health, /docs and an internal route, with the workspace code inlined and
 * nothing required that `npm ci --omit=dev -w <part>` would not install.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { spawnOwned, stopProcess, testMongoUrl } from '@chat/local-services';
import { assertInstallable, bundlePath, packageName } from '../../scripts/build';
import { ROOT } from './support/compose';

const SERVICE = 'mongo-chat-server';
const BUILD_SCRIPT = path.join(ROOT, 'scripts', 'build.ts');
const runBuild = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', BUILD_SCRIPT, ...args], {
  cwd: ROOT, encoding: 'utf8', timeout: 60000,
});

/** Starts the bundle; resolves with its URL from the `listening on <url>` line it prints. */
function startBundle(bundle: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnOwned(process.execPath, ['--enable-source-maps', bundle], { env, cwd: path.dirname(bundle) });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within 20 s:\n${output}`)), 20000);
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      const match = / listening on (http:\/\/\S+)/.exec(output);
      if (match) { clearTimeout(timer); resolve({ child, url: match[1] as string }); }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}:\n${output}`)); });
  });
}

describe('operations: production build (scripts/build.ts)', function () {
  this.timeout(60000);
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-build-'));
  const bundle = bundlePath(SERVICE, outRoot);
  let mongoUrl = '';
  let running: ChildProcess | undefined;

  before(function () {
    mongoUrl = testMongoUrl('operations build');
    const result = runBuild([SERVICE, '--out-root', outRoot]);
    assert.equal(result.status, 0, `build failed:\n${result.stdout}${result.stderr}`);
  });

  after(async function () {
    if (running) await stopProcess(running, 5000);
    fs.rmSync(outRoot, { recursive: true, force: true });
    if (!mongoUrl) return;
    const conn = await mongoose.createConnection(mongoUrl, { serverSelectionTimeoutMS: 5000 }).asPromise();
    await conn.dropDatabase();
    await conn.close();
  });

  it('writes a bundle that node accepts, with a source map, and @chat/* inlined', function () {
    const check = spawnSync(process.execPath, ['--check', bundle], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    assert.ok(fs.existsSync(`${bundle}.map`));
    assert.doesNotMatch(fs.readFileSync(bundle, 'utf8'), /require\(["']@chat\//);
  });

  it('requires at run time only production dependencies of the service, shared and the contract', function () {
    const source = fs.readFileSync(bundle, 'utf8');
    const required = [...source.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1] as string)
      .filter((name) => !isBuiltin(name) && !name.startsWith('.'));
    assert.ok(required.includes('mongoose') && required.includes('argon2'), `unexpected externals: ${required.join(', ')}`);
    const manifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const allowed = new Set([SERVICE, 'shared', 'contract'].flatMap((dir) => Object.keys(manifest(dir).dependencies ?? {})));
    required.map(packageName).forEach((name) => assert.ok(allowed.has(name), `${name} is not a production dependency`));
  });

  it('refuses a bundle that needs a package the image would not install', function () {
    assert.throws(() => assertInstallable(SERVICE, ['socket.io'], ['@chat/shared']), /requires socket\.io/);
    assert.throws(() => assertInstallable('server', ['express'], ['@chat/shared', '@chat/local-services']), /inlines @chat\/local-services/);
    assert.doesNotThrow(() => assertInstallable(SERVICE, ['argon2', 'winston'], ['@chat/shared']));
  });

  it('starts from the image layout in production mode and serves /health, /docs and its routes', async function () {
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(outRoot, 'node_modules'), 'dir');
    fs.copyFileSync(path.join(ROOT, 'swagger.yaml'), path.join(outRoot, 'swagger.yaml'));
    const logDir = path.join(outRoot, 'logs');
    const started = await startBundle(bundle, {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      MONGO_URL: mongoUrl,
      INTERNAL_TOKEN: 'operations-build-test-token',
      LOG_DIR: logDir,
      PASSWORD_HASH_MEMORY_KIB: '1024',
    });
    running = started.child;
    const health = await fetch(`${started.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', service: SERVICE });
    const docs = await fetch(`${started.url}/docs/swagger.json`);
    assert.equal(docs.status, 200);
    assert.match(String(((await docs.json()) as { openapi?: unknown }).openapi), /^3\./);
    const refused = await fetch(`${started.url}/user`);
    assert.equal(refused.status, 401);
    const users = await fetch(`${started.url}/user`, { headers: { 'x-internal-token': 'operations-build-test-token' } });
    assert.equal(users.status, 200);
    assert.ok(fs.existsSync(path.join(logDir, 'requests.log')));
  });

  it('stops gracefully on SIGTERM, as `docker stop` sends it', async function () {
    assert.ok(running, 'the bundle is not running');
    const child = running;
    const exited = new Promise<number | null>((resolve) => { child.once('exit', (code) => resolve(code)); });
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    running = undefined;
  });

  it('rejects an unknown service name', function () {
    const result = runBuild(['no-such-service', '--out-root', outRoot]);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /unknown service "no-such-service"/);
  });
});
