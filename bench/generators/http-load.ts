/**
 * Generator: closed-loop HTTP load, `concurrency` keep-alive connections each
 * sending the next request as soon as the last one answered, cycling over the
 * targets (e.g. one token per user). Times every request.
 */
import http from 'node:http';
import { ownCpuSeconds } from '../lib/cpu';
import { serveCommands } from '../lib/processes';
import { Histogram } from '../lib/stats';
import type { HttpLoadCommands, HttpLoadResult, HttpTarget } from './protocol';

function get(agent: http.Agent, target: HttpTarget): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(target.url, { agent, headers: target.headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error('request timeout')));
  });
}

async function run(args: HttpLoadCommands['run']['args']): Promise<HttpLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.concurrency });
  const latency = new Histogram();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + args.durationMs;
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  let turn = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      const target = args.targets[turn % args.targets.length] as HttpTarget;
      turn += 1;
      const t0 = performance.now();
      try {
        const status = await get(agent, target);
        if (status === 200) {
          requests += 1;
          latency.record(performance.now() - t0);
        } else {
          errors += 1;
          firstError ??= `status ${status}`;
        }
      } catch (err) {
        errors += 1;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, loop));
  const wallSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    requests, errors, firstError, latency: latency.toData(), wallSeconds, cpuSeconds: ownCpuSeconds(cpu),
  };
}

serveCommands<HttpLoadCommands>({ run });
