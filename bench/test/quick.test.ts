/**
 * `npm run bench -- --quick` end to end, as a child process: it must finish
 * within its bound and write every scenario's JSON (naming cores, database and
 * date), summary.md and fanout.svg. The figures themselves are not asserted:
 * they depend on the machine.
 */
import { spawn } from 'node:child_process';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScenarioResult } from '../lib/report';
import { SCENARIOS } from '../scenarios';

const ROOT = path.resolve(__dirname, '..', '..');
const LIMIT_MS = 230000;

interface Finished { code: number | null; signal: string | null; output: string }

function runQuick(outDir: string): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', outDir], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // SIGTERM first: the runner then exits through its hooks, which stop every service it started.
    const timer = setTimeout(() => child.kill('SIGTERM'), LIMIT_MS);
    const killer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS + 15000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({ code, signal, output });
    });
  });
}

describe('bench --quick', function () {
  this.timeout(LIMIT_MS + 30000);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-quick-'));
  after(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('runs every scenario and writes their results, the summary and the fan-out chart', async () => {
    const run = await runQuick(outDir);
    assert.equal(run.signal, null, `bench --quick was killed after ${LIMIT_MS} ms:\n${run.output}`);
    assert.notEqual(run.code, 130, `bench --quick did not finish within ${LIMIT_MS} ms:\n${run.output}`);
    // 1 = a scenario reported an error (written into its result); anything else is a crash.
    assert.ok(run.code === 0 || run.code === 1, `bench --quick exited ${run.code}:\n${run.output}`);

    SCENARIOS.forEach(({ name, title }) => {
      const file = path.join(outDir, `${name}.json`);
      assert.ok(fs.existsSync(file), `${name}.json missing:\n${run.output}`);
      const result = JSON.parse(fs.readFileSync(file, 'utf8')) as ScenarioResult;
      assert.equal(result.scenario, name);
      assert.equal(result.title, title);
      assert.equal(result.run.quick, true);
      assert.ok(result.run.machine.cores > 0);
      assert.ok(['FerretDB', 'MongoDB'].includes(result.run.database.kind));
      assert.ok(!Number.isNaN(Date.parse(result.run.date)));
    });
    const summary = fs.readFileSync(path.join(outDir, 'summary.md'), 'utf8');
    SCENARIOS.forEach(({ title }) => assert.ok(summary.includes(`## ${title}`), `summary.md lacks "${title}"`));
    const svg = fs.readFileSync(path.join(outDir, 'fanout.svg'), 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /<polyline /);
  });
});
