/**
 * Reads a service's Prometheus /metrics: requests answered per route (the
 * `http_request_duration_seconds_count` series), so a scenario can count the
 * calls a burst caused; and the data service's database commands by command
 * and collection, with the time waited for them.
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

const COMMAND_LINE = /^database_command(s_total|_seconds_total)\{([^}]*)\}\s+([\d.e+-]+)$/;

/** Database commands sent, per `command collection`: how many and the seconds waited for them. */
export type CommandFigures = Record<string, { count: number; seconds: number }>;

export async function databaseCommands(serviceUrl: string, internalToken: string): Promise<CommandFigures> {
  const res = await fetch(`${serviceUrl}/metrics`, { headers: { 'x-internal-token': internalToken } });
  if (!res.ok) throw new Error(`${serviceUrl}/metrics: ${res.status}`);
  const figures: CommandFigures = {};
  (await res.text()).split('\n').forEach((line) => {
    const match = COMMAND_LINE.exec(line);
    if (!match) return;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = value as string;
    const key = `${labels.command ?? '?'} ${labels.collection ?? '?'}`;
    const entry = figures[key] ?? { count: 0, seconds: 0 };
    if (match[1] === 's_total') entry.count += Number(match[3]);
    else entry.seconds += Number(match[3]);
    figures[key] = entry;
  });
  return figures;
}

/** after − before, per command, dropping commands not sent meanwhile. */
export function commandsSince(before: CommandFigures, after: CommandFigures): CommandFigures {
  const out: CommandFigures = {};
  Object.entries(after).forEach(([key, { count, seconds }]) => {
    const delta = count - (before[key]?.count ?? 0);
    if (delta > 0) out[key] = { count: delta, seconds: seconds - (before[key]?.seconds ?? 0) };
  });
  return out;
}
