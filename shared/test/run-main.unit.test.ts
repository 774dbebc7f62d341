/**
 * Every service's `main()` (the kit's runMain), as a real process: it prints
 * its start line, exits 0 once a graceful close ends, and exits 1 when the
 * close outlasts its bound instead of hanging on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

const FIXTURE = path.join(__dirname, 'fixtures', 'main-service.ts');

function run(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(' listening on ')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, output: `${output}[signal ${signal}]` }));
  });
}

describe('service kit: main()', function () {
  this.timeout(30000);
  type Run = Awaited<ReturnType<typeof run>>;
  let graceful: Run;
  let hanging: Run;
  // The two processes run side by side: most of each run is starting Node and tsx.
  before(async () => {
    [graceful, hanging] = await Promise.all([run({ CLOSE_MS: '50' }), run({ FORCE_EXIT_MS: '300' })]);
  });

  it('prints the start line, and exits 0 once a graceful close on SIGTERM ends', () => {
    assert.match(graceful.output, /^test service listening on http:\/\/127\.0\.0\.1:1$/m);
    assert.match(graceful.output, /^SIGTERM: closing test service$/m);
    assert.equal(graceful.code, 0, graceful.output);
  });

  it('exits 1 when the close outlasts its bound, instead of hanging', () => {
    assert.equal(hanging.code, 1, hanging.output);
  });
});
