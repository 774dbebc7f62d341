/**
 * Reads a service's Prometheus /metrics: requests answered per route (the
 * `http_request_duration_seconds_count` series), so a scenario can count the
 * calls a burst caused; and the data service's database commands by command
 * and collection, with the time waited for them.
 */

const SAMPLE = /^(\w+)\{([^}]*)\}\s+([\d.e+-]+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Every labelled sample of a service's /metrics whose name is in `names`. */
async function samples(serviceUrl: string, names: readonly string[], internalToken?: string): Promise<Sample[]> {
  const headers: Record<string, string> = internalToken ? { 'x-internal-token': internalToken } : {};
  const res = await fetch(`${serviceUrl}/metrics`, { headers });
  if (!res.ok) throw new Error(`${serviceUrl}/metrics: ${res.status}`);
  return (await res.text()).split('\n').flatMap((line) => {
    const match = SAMPLE.exec(line);
    if (!match || !names.includes(match[1] ?? '')) return [];
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = value as string;
    return [{ name: match[1] as string, labels, value: Number(match[3]) }];
  });
}

export type RouteCounts = Record<string, number>;

export async function requestCounts(serviceUrl: string): Promise<RouteCounts> {
  const counts: RouteCounts = {};
  (await samples(serviceUrl, ['http_request_duration_seconds_count'])).forEach(({ labels, value }) => {
    if (labels.route === '/metrics') return;
    const key = `${labels.method ?? '?'} ${labels.route ?? '?'}`;
    counts[key] = (counts[key] ?? 0) + value;
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

/** Database commands sent, per `command collection`: how many and the seconds waited for them. */
export type CommandFigures = Record<string, { count: number; seconds: number }>;

export async function databaseCommands(serviceUrl: string, internalToken: string): Promise<CommandFigures> {
  const figures: CommandFigures = {};
  const names = ['database_commands_total', 'database_command_seconds_total'];
  (await samples(serviceUrl, names, internalToken)).forEach(({ name, labels, value }) => {
    const key = `${labels.command ?? '?'} ${labels.collection ?? '?'}`;
    const entry = figures[key] ?? { count: 0, seconds: 0 };
    if (name === 'database_commands_total') entry.count += value;
    else entry.seconds += value;
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
