/** Reads a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function, the biggest first. */
import fs from 'node:fs';
import { round } from '../lib/stats';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives, short: the package for dependencies, the path inside the repository otherwise. */
const placeOf = (url: string): string => {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length).split('/').slice(0, 2).join('/');
  const repo = /\/(mongo-chat-server|server|shared|contract)\/src\/(.*)$/.exec(url);
  if (repo) return `${repo[1]}/src/${repo[2]}`;
  return url.replace(/^file:\/\//, '') || '(native)';
};

/** The `count` functions with the most self time, as text lines: share, ms, name, place. */
export function topFunctions(file: string, count: number): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    // Idle time is not work.
    if (functionName === '(idle)') return;
    const place = placeOf(url);
    const key = `${functionName || '(anonymous)'}  ${place}${url ? `:${lineNumber + 1}` : ''}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
    const pkg = url.includes('node_modules/') ? place.split('/')[0] as string : place.split('/').slice(0, 1).join('/');
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + delta);
    total += delta;
  });
  const line = ([key, us]: [string, number]) => `  ${round((100 * us) / total)} %  ${round(us / 1000)} ms  ${key}`;
  const top = [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, count).map(line);
  const packages = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12).map(line);
  return [`busy ${round(total / 1000)} ms; by function:`, ...top, 'by package or place:', ...packages].join('\n');
}
