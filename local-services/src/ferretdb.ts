/**
 * The embedded FerretDB v1.24.2 launcher (local-services/ferretdb): built once
 * with Go into `.cache/ferretdb/`, reused afterwards. docs/design.md, "Databases on build machines".
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { which } from './processes';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE_DIR = path.join(ROOT, 'local-services', 'ferretdb');
export const LAUNCHER_PATH = path.join(ROOT, '.cache', 'ferretdb', 'ferretdb-launcher');

const newestSource = (): number => ['main.go', 'go.mod', 'go.sum']
  .map((f) => path.join(SOURCE_DIR, f))
  .filter((f) => fs.existsSync(f))
  .reduce((newest, f) => Math.max(newest, fs.statSync(f).mtimeMs), 0);

export function launcherIsBuilt(): boolean {
  return fs.existsSync(LAUNCHER_PATH) && fs.statSync(LAUNCHER_PATH).mtimeMs >= newestSource();
}

/** Builds the launcher if it is missing or older than its source. Throws with a clear message without Go. */
export function ensureFerretdbLauncher(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  if (launcherIsBuilt()) return LAUNCHER_PATH;
  const go = which('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    throw new Error('No MongoDB-compatible server available: set MONGO_URL, put mongod on PATH, '
      + 'or install Go (https://go.dev/dl/) so the project can build its FerretDB launcher.');
  }
  log('Building the FerretDB launcher (MongoDB-compatible server) once; the first build takes about 2 minutes...');
  const started = Date.now();
  fs.mkdirSync(path.dirname(LAUNCHER_PATH), { recursive: true });
  const result = spawnSync(go, ['build', '-o', LAUNCHER_PATH, '.'], { cwd: SOURCE_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`building the FerretDB launcher failed (go build exited ${result.status})`);
  log(`FerretDB launcher built in ${Math.round((Date.now() - started) / 1000)} s: ${LAUNCHER_PATH}`);
  return LAUNCHER_PATH;
}
