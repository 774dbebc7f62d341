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

const newestSource = (): number => ['main.go', 'go.mod', 'go.sum', 'patches.json', '../src/ferretdb.ts']
  .map((f) => path.join(SOURCE_DIR, f))
  .filter((f) => fs.existsSync(f))
  .reduce((newest, f) => Math.max(newest, fs.statSync(f).mtimeMs), 0);

interface PatchFile {
  module: string;
  patches: { file: string; find: string; replace: string }[];
}

/**
 * The patches of `ferretdb/patches.json` (each says why), applied to a copy of the FerretDB module under
 * `.cache/ferretdb/module/`, which the build uses through a `replace` in a go.mod of its own (the module
 * cache is read-only and `go build -overlay` may not replace files in it). Answers that go.mod's path.
 * A patch whose text is not found exactly once stops the build: a new FerretDB version needs a new look.
 */
function patchedModFile(go: string): string {
  const spec = JSON.parse(fs.readFileSync(path.join(SOURCE_DIR, 'patches.json'), 'utf8')) as PatchFile;
  const run = (args: string[]) => {
    const out = spawnSync(go, args, { cwd: SOURCE_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (out.status !== 0) throw new Error(`go ${args.join(' ')} exited ${out.status}`);
    return out.stdout.trim();
  };
  run(['mod', 'download', spec.module]);
  const moduleDir = run(['list', '-m', '-f', '{{.Dir}}', spec.module]);
  const cache = path.dirname(LAUNCHER_PATH);
  const copy = path.join(cache, 'module');
  fs.rmSync(copy, { recursive: true, force: true });
  fs.cpSync(moduleDir, copy, { recursive: true });
  spec.patches.forEach(({ file, find, replace }, i) => {
    const target = path.join(copy, file);
    const text = fs.readFileSync(target, 'utf8');
    if (text.split(find).length !== 2) throw new Error(`FerretDB patch ${i + 1}: "${find}" is not in ${file} exactly once`);
    fs.chmodSync(target, 0o644);
    fs.writeFileSync(target, text.replace(find, replace));
  });
  const modFile = path.join(cache, 'launcher.mod');
  fs.writeFileSync(modFile, `${fs.readFileSync(path.join(SOURCE_DIR, 'go.mod'), 'utf8')}\nreplace ${spec.module} => ${copy}\n`);
  fs.copyFileSync(path.join(SOURCE_DIR, 'go.sum'), path.join(cache, 'launcher.sum'));
  return modFile;
}

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
  const modFile = patchedModFile(go);
  const result = spawnSync(go, ['build', `-modfile=${modFile}`, '-o', LAUNCHER_PATH, '.'], {
    cwd: SOURCE_DIR, stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`building the FerretDB launcher failed (go build exited ${result.status})`);
  log(`FerretDB launcher built in ${Math.round((Date.now() - started) / 1000)} s: ${LAUNCHER_PATH}`);
  return LAUNCHER_PATH;
}
