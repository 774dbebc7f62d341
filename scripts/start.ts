/**
 * `npm start`: the whole system on one machine with embedded defaults — the
 * MongoDB-compatible server, Redis when `redis-server` exists (then two chat
 * servers, so cross-server delivery is live) or one chat server on the
 * in-memory adapter, the data service, the dispatcher and the test client.
 * A process that crashes is restarted with back-off; one that keeps crashing
 * stops everything. Ctrl-C stops everything.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import express from 'express';
import {
  createSupervisor, freePort, redisAvailable, startMongo, startRedis, startServiceProcess, waitForPlacement,
  withDatabase,
} from '@chat/local-services';
import type {
  RunningMongo, RunningRedis, ServiceProcess, SupervisorEvent,
} from '@chat/local-services';

const ROOT = path.resolve(__dirname, '..');
const say = (line: string) => process.stdout.write(`[start] ${line}\n`);

const portIsFree = (port: number): Promise<boolean> => new Promise((resolve) => {
  const probe = net.createServer();
  probe.once('error', () => resolve(false));
  probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
});

/** The usual port when it is free, so URLs stay familiar; any free port otherwise. */
const preferPort = async (port: number) => ((await portIsFree(port)) ? port : freePort());

async function buildClient(): Promise<string> {
  const outDir = path.join(ROOT, 'client', 'dist');
  const { build } = await import('vite');
  say('building the chat client...');
  await build({
    root: path.join(ROOT, 'client'), logLevel: 'warn', build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

interface ClientConfig { dispatcherUrl: string; apiUrl: string }

function serveClient(dir: string, port: number, config: ClientConfig): Promise<http.Server> {
  const app = express();
  app.get('/config.js', (_req, res) => {
    res.type('application/javascript').send(`window.CHAT_CONFIG = ${JSON.stringify(config)};\n`);
  });
  app.use(express.static(dir));
  return new Promise((resolve) => {
    const server = app.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * A part's log folder when LOG_DIR is set: its own folder under it, as under
 * logs/ by default, since each rotating log file must have one writer.
 */
const logDirOf = (folder: string) => (process.env.LOG_DIR ? path.join(process.env.LOG_DIR, folder) : undefined);

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** The console line for each thing the supervisor saw. */
function describeSupervision(event: SupervisorEvent): string {
  switch (event.kind) {
    case 'crashed':
      return event.decision.action === 'restart'
        ? `${event.label} stopped unexpectedly (${event.reason}); restarting in ${seconds(event.decision.delayMs)}`
          + ` (crash ${event.decision.recentCrashes} in the last minute)`
        : `${event.label} stopped unexpectedly (${event.reason})`;
    case 'restarted':
      return `${event.label} restarted (pid ${event.pid ?? '?'})`;
    default:
      return `${event.label} crashed ${event.recentCrashes} times within ${seconds(event.windowMs)}: giving up.`
        + ' Stopping everything; its logs say why.';
  }
}

async function main(): Promise<void> {
  const started: ServiceProcess[] = [];
  let mongo: RunningMongo | undefined;
  let redis: RunningRedis | undefined;
  let clientServer: http.Server | undefined;
  let stopping = false;
  let stopAll: (code: number) => Promise<void> = async () => {};
  const supervisor = createSupervisor({
    onEvent: (event) => {
      if (event.kind === 'gave-up') {
        process.stderr.write(`[start] ${describeSupervision(event)}\n`);
        void stopAll(1);
        return;
      }
      say(describeSupervision(event));
    },
  });
  const supervise = (service: ServiceProcess) => {
    started.push(service);
    supervisor.watch({ label: service.label, child: () => service.child, restart: service.start });
  };

  stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    supervisor.stop();
    say('stopping...');
    for (const service of [...started].reverse()) await service.stop(10000);
    clientServer?.close();
    await redis?.stop();
    await mongo?.stop();
    say('stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => { void stopAll(0); });
  process.on('SIGTERM', () => { void stopAll(0); });

  try {
    const dataDir = process.env.CHAT_DATA_DIR ?? path.join(ROOT, '.data', 'mongo');
    mongo = await startMongo({ dataDir, port: await preferPort(27017), log: say });
    const mongoUrl = mongo.kind === 'external' ? mongo.url : withDatabase(mongo.url, 'chat');
    say(`database: ${mongo.kind} at ${mongo.url} (data in ${mongo.kind === 'external' ? 'MONGO_URL' : dataDir})`);
    supervisor.watch({ label: `database (${mongo.kind})`, child: mongo.child, restart: mongo.restart });

    if (redisAvailable()) {
      redis = await startRedis();
      say(`redis: ${redis.url}`);
      supervisor.watch({ label: 'redis', child: redis.child, restart: redis.restart });
    } else {
      say('redis-server not found: one chat server on the in-memory adapter (install redis-server for two).');
    }

    const secrets = {
      JWT_SECRET: process.env.JWT_SECRET || crypto.randomBytes(32).toString('hex'),
      INTERNAL_TOKEN: process.env.INTERNAL_TOKEN || crypto.randomBytes(24).toString('hex'),
    };
    if (!process.env.JWT_SECRET) say('JWT_SECRET not set: generated one for this run (tokens stop working when it ends).');
    const common = { ...secrets, REDIS_URL: redis?.url, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' };

    const data = await startServiceProcess({
      service: 'mongo-chat-server',
      port: await preferPort(3000),
      env: { ...common, MONGO_URL: mongoUrl, LOG_DIR: logDirOf('mongo-chat-server') },
    });
    supervise(data);
    const dispatcher = await startServiceProcess({
      service: 'dispatcher',
      port: await preferPort(5000),
      env: { ...common, HOST: '127.0.0.1', LOG_DIR: logDirOf('dispatcher') },
    });
    supervise(dispatcher);

    const chatCount = redis ? 2 : 1;
    const chatIds: string[] = [];
    for (let i = 0; i < chatCount; i += 1) {
      const port = await preferPort(4001 + i);
      const id = `chat-${String.fromCharCode(97 + i)}`;
      chatIds.push(id);
      supervise(await startServiceProcess({
        service: 'chat-server',
        label: id,
        port,
        env: {
          ...common,
          HOST: '127.0.0.1',
          SERVER_ID: id,
          LOG_DIR: logDirOf(`chat-server-${id}`),
          PUBLIC_URL: `http://localhost:${port}`,
          DATA_SERVICE_URL: data.url,
          DISPATCHER_URL: dispatcher.url,
        },
      }));
    }
    const firstChat = started[2];
    if (!firstChat) throw new Error('no chat server started');
    // Running means users can be placed: every chat server holds leaves of the dispatcher's map.
    await Promise.all(chatIds.map((id) => waitForPlacement(dispatcher.url, secrets.INTERNAL_TOKEN, id)));

    const clientDir = fs.existsSync(path.join(ROOT, 'client', 'index.html')) ? await buildClient() : undefined;
    const clientPort = await preferPort(8080);
    const localUrl = (url: string) => url.replace('127.0.0.1', 'localhost');
    if (clientDir) {
      clientServer = await serveClient(clientDir, clientPort, {
        dispatcherUrl: localUrl(dispatcher.url), apiUrl: localUrl(firstChat.url),
      });
    }

    say('');
    say('The chat system is running.');
    if (clientDir) say(`  chat client:      http://localhost:${clientPort}`);
    say(`  API docs:         ${localUrl(firstChat.url)}/docs`);
    say(`  chat servers:     ${started.slice(2).map((s) => localUrl(s.url)).join(', ')}`);
    say(`  dispatcher:       ${localUrl(dispatcher.url)} (GET /chat/location, /docs)`);
    say(`  data service:     ${localUrl(data.url)} (internal; /docs)`);
    say(`  logs:             ${process.env.LOG_DIR ?? 'logs'}/<service>/`);
    say(`  processes:        ${started.map((s) => `${s.label} (pid ${s.child.pid ?? '?'})`).join(', ')}`);
    say('A process that crashes is restarted; five crashes of one within a minute stop everything.');
    say('Press Ctrl-C to stop.');
  } catch (err) {
    process.stderr.write(`[start] ${(err as Error).message}\n`);
    await stopAll(1);
  }
}

void main();
