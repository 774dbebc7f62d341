/**
 * The machine's nginx run with deploy/nginx/chat.conf in front of local processes.
 * The shipped file is included in an `http` block as the nginx image does; rendering it
 * rewrites only what points at the compose network: the upstream servers' addresses
 * (compose name:port → the local process), the listen port, and the client's root.
 * nginx runs in the foreground as a child, under a temporary prefix.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  spawnOwned, stopProcess, tailOutput, waitForPort, which,
} from '@chat/local-services';
import { ROOT } from './compose';
import { CHAT_CONF, find, parseNginx } from './nginx';

/** Where Debian installs nginx (often outside a non-root PATH). */
const DEBIAN_NGINX = '/usr/sbin/nginx';
const SYSTEM_MIME_TYPES = '/etc/nginx/mime.types';

export function findNginx(): string | undefined {
  const onPath = which('nginx');
  if (onPath) return onPath;
  try {
    fs.accessSync(DEBIAN_NGINX, fs.constants.X_OK);
    return DEBIAN_NGINX;
  } catch {
    return undefined;
  }
}

export interface RenderOptions {
  /** Compose address (`chat-1:4000`) → local address (`127.0.0.1:41234`), for every upstream server. */
  addresses: Map<string, string>;
  listenPort: number;
  /** The built client, served at /. */
  htmlRoot: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces `pattern` in `text`, failing unless it matched exactly `count` times. */
function replaceCounted(text: string, pattern: RegExp, count: number, by: (...m: string[]) => string): string {
  let seen = 0;
  const out = text.replace(pattern, (...m: string[]) => { seen += 1; return by(...m); });
  if (seen !== count) throw new Error(`${CHAT_CONF}: expected ${count} match(es) of ${pattern}, found ${seen}`);
  return out;
}

/**
 * chat.conf with its compose addresses pointed at local processes. Every upstream server
 * must have a local address. `resolve` goes with the name it re-resolved: the rendered
 * addresses are literals (and nginx before 1.27.3, Debian's included, lacks the parameter).
 */
export function renderChatConf(text: string, options: RenderOptions): string {
  const servers = find(parseNginx(text), 'upstream').flatMap((u) => find(u.block ?? [], 'server'));
  const unmapped = servers.map((s) => s.args[0] as string).filter((a) => !options.addresses.has(a));
  if (unmapped.length > 0) throw new Error(`no local process for upstream server(s) ${unmapped.join(', ')}`);
  let out = text;
  [...new Set(servers.map((s) => s.args[0] as string))].forEach((address) => {
    const uses = servers.filter((s) => s.args[0] === address).length;
    out = replaceCounted(
      out,
      new RegExp(`(\\bserver\\s+)${escapeRegExp(address)}(\\s+resolve)?(?=[\\s;])`, 'g'),
      uses,
      (_m, lead) => `${lead}${options.addresses.get(address) as string}`,
    );
  });
  out = replaceCounted(out, /^(\s*listen\s+)\d+;/m, 1, (_m, lead) => `${lead}127.0.0.1:${options.listenPort};`);
  return replaceCounted(out, /^(\s*root\s+)\/usr\/share\/nginx\/html;/m, 1, (_m, lead) => `${lead}${options.htmlRoot};`);
}

/** The main file around chat.conf: what the image's nginx.conf gives it, with every path in `prefix`. */
function mainConf(prefix: string): string {
  const temp = (name: string) => path.join(prefix, 'temp', name);
  const mime = fs.existsSync(SYSTEM_MIME_TYPES) ? `include ${SYSTEM_MIME_TYPES};` : '';
  return `worker_processes 1;
events { worker_connections 1024; }
http {
  ${mime}
  default_type application/octet-stream;
  access_log ${path.join(prefix, 'access.log')};
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  include ${path.join(prefix, 'chat.conf')};
}
`;
}

/** Builds the test client (Vite) into `outDir`. */
export function buildClient(outDir: string): void {
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const run = spawnSync(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: path.join(ROOT, 'client'), encoding: 'utf8', timeout: 120000,
  });
  if (run.status !== 0) throw new Error(`client build failed (${run.status ?? run.signal}): ${run.stderr}`);
}

export interface RunningNginx {
  origin: string;
  prefix: string;
  child: ChildProcess;
  /** What nginx printed last (its error log goes to stderr). */
  output: () => string;
  /** Stops nginx (the prefix stays: its owner removes it). */
  stop: () => Promise<void>;
}

/**
 * A private prefix for nginx: readable by its workers (they drop root's rights), with the
 * client built into `html/`. The caller renders chat.conf with `htmlRoot` and starts it.
 */
export function makePrefix(): { prefix: string; htmlRoot: string; remove: () => void } {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-nginx-'));
  fs.chmodSync(prefix, 0o755);
  fs.mkdirSync(path.join(prefix, 'temp'));
  return {
    prefix,
    htmlRoot: path.join(prefix, 'html'),
    remove: () => fs.rmSync(prefix, { recursive: true, force: true }),
  };
}

export async function startNginx(
  bin: string,
  prefix: string,
  options: RenderOptions,
): Promise<RunningNginx> {
  const shipped = fs.readFileSync(path.join(ROOT, CHAT_CONF), 'utf8');
  fs.writeFileSync(path.join(prefix, 'chat.conf'), renderChatConf(shipped, options));
  const conf = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(conf, mainConf(prefix));
  const child = spawnOwned(bin, [
    '-p', `${prefix}/`, '-c', conf, '-g', `daemon off; pid ${path.join(prefix, 'nginx.pid')}; error_log stderr;`,
  ]);
  const output = tailOutput(child, 50);
  const stop = () => stopProcess(child, 5000);
  try {
    await waitForPort(options.listenPort, { child, timeoutMs: 15000 });
  } catch (err) {
    await stop();
    throw new Error(`nginx did not start: ${(err as Error).message}\n${output()}`);
  }
  return {
    origin: `http://127.0.0.1:${options.listenPort}`, prefix, child, output, stop,
  };
}
