/**
 * Reads a service's Prometheus /metrics: requests answered per route (the
 * `http_request_duration_seconds_count` series), so a scenario can count the
 * calls a burst caused.
 */

const COUNT_LINE = /^http_request_duration_seconds_count\{([^}]*)\}\s+([\d.e+-]+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

export type RouteCounts = Record<string, number>;

export async function requestCounts(serviceUrl: string): Promise<RouteCounts> {
  const res = await fetch(`${serviceUrl}/metrics`);
  if (!res.ok) throw new Error(`${serviceUrl}/metrics: ${res.status}`);
  const counts: RouteCounts = {};
  (await res.text()).split('\n').forEach((line) => {
    const match = COUNT_LINE.exec(line);
    if (!match) return;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[1] ?? '').matchAll(LABEL)) labels[key as string] = value as string;
    if (labels.route === '/metrics') return;
    const key = `${labels.method ?? '?'} ${labels.route ?? '?'}`;
    counts[key] = (counts[key] ?? 0) + Number(match[2]);
  });
  return counts;
}

/** after − before, per route, dropping routes with no new calls. */
export function countsSince(before: RouteCounts, after: RouteCounts): RouteCounts {
  const out: RouteCounts = {};
  Object.entries(after).forEach(([route, n]) => {
    const delta = n - (before[route] ?? 0);
    if (delta > 0) out[route] = delta;
  });
  return out;
}

export const totalCalls = (counts: RouteCounts): number => Object.values(counts).reduce((a, b) => a + b, 0);
