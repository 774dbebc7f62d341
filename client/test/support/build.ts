/**
 * Builds the page with the same Vite config as `npm run build`, into a
 * temporary folder: once per mocha run, shared by the browser test files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CLIENT_ROOT = path.resolve(__dirname, '..', '..');

let built: Promise<string> | undefined;

async function build(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-client-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const vite = await import('vite');
  await vite.build({
    root: CLIENT_ROOT, logLevel: 'silent', build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  return dir;
}

/** The folder of the built page. */
export function builtClient(): Promise<string> {
  built ??= build();
  return built;
}
