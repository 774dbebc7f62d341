/**
 * `--repeat N`: a scenario run N times becomes one result whose tables give,
 * for every number, the median and the spread (min–max) over the repeats, and
 * whose ratios are the medians, with each ratio's spread beside them. On a
 * shared machine single runs move by several times; the spread says how far a
 * figure can be trusted.
 */
import type {
  Cell, RepeatRecord, ScenarioResult, Spread, Table,
} from './report';
import { round } from './stats';

/**
 * A busy machine: a 1-minute load average of half the cores or more (1 on a
 * 2-core box) means other work competed for the CPU the servers measure with.
 */
export const isBusy = (loadAverage: number, cores: number): boolean => loadAverage >= cores / 2;

export function spreadOf(values: number[]): Spread | null {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const mid = Math.floor(finite.length / 2);
  const median = finite.length % 2 === 1
    ? finite[mid] as number
    : ((finite[mid - 1] as number) + (finite[mid] as number)) / 2;
  return {
    median: round(median),
    min: round(finite[0] as number),
    max: round(finite[finite.length - 1] as number),
    count: finite.length,
  };
}

/** "median (min–max)", the count when some repeats lacked the figure. */
export function spreadText(spread: Spread | null, repeats: number): string {
  if (!spread) return '–';
  const range = spread.min === spread.max ? '' : ` (${spread.min}–${spread.max})`;
  const missing = spread.count < repeats ? ` [${spread.count} of ${repeats}]` : '';
  return `${spread.median}${range}${missing}`;
}

/**
 * Combines the same table from every repeat: rows matched by their first
 * cell (a name or an offered rate) and its occurrence (the third "ours" row is
 * the third step of ours), each numeric column replaced by its median
 * (min–max). A text cell that differs between repeats ("yes" / "no") lists
 * each value seen.
 */
export function combineTables(tables: Table[]): Table {
  const first = tables[0];
  if (!first) return { headers: [], rows: [] };
  const keys: string[] = [];
  const rowsByKey = new Map<string, Cell[][]>();
  tables.forEach((table) => {
    const seen = new Map<string, number>();
    table.rows.forEach((row) => {
      const head = String(row[0]);
      const occurrence = seen.get(head) ?? 0;
      seen.set(head, occurrence + 1);
      const key = JSON.stringify([head, occurrence]);
      if (!rowsByKey.has(key)) { rowsByKey.set(key, []); keys.push(key); }
      rowsByKey.get(key)?.push(row);
    });
  });
  const rows = keys.map((key) => {
    const same = rowsByKey.get(key) ?? [];
    const width = Math.max(...same.map((r) => r.length));
    return Array.from({ length: width }, (_, col): Cell => {
      const cells = same.map((r) => r[col] ?? null);
      const numbers = cells.filter((c): c is number => typeof c === 'number');
      if (numbers.length > 0 && numbers.length === cells.filter((c) => c !== null).length) {
        const spread = spreadOf(numbers);
        return spread && spread.min === spread.max && numbers.length === tables.length
          ? spread.median : spreadText(spread, tables.length);
      }
      const texts = [...new Set(cells.filter((c) => c !== null).map(String))];
      return texts.length === 0 ? null : texts.join(' / ');
    });
  });
  return { headers: first.headers, rows };
}

/** One result from the repeats of a scenario (in run order); `loads` are the load averages before each. */
export function combineRepeats(results: ScenarioResult[], loads: number[]): ScenarioResult {
  const last = results[results.length - 1];
  if (!last) throw new Error('no repeats to combine');
  const { cores } = last.run.machine;
  const n = results.length;
  const ratioNames = [...new Set(results.flatMap((r) => Object.keys(r.ratios)))];
  const ratioSpreads: Record<string, Spread | null> = Object.fromEntries(ratioNames.map((name) => [
    name, spreadOf(results.map((r) => r.ratios[name]).filter((v): v is number => typeof v === 'number')),
  ]));
  const tableTitles = [...new Set(results.flatMap((r) => r.tables.map((t) => t.title)))];
  const tables = tableTitles.map((title) => ({
    title: `${title}, median (min–max) of ${n}`,
    table: combineTables(results.flatMap((r) => r.tables.filter((t) => t.title === title).map((t) => t.table))),
  }));
  const repeats: RepeatRecord[] = results.map((r, i) => ({
    loadAverage: loads[i] ?? 0,
    busy: isBusy(loads[i] ?? 0, cores),
    durationSeconds: r.durationSeconds,
    ratios: r.ratios,
    ours: r.ours,
    baselines: r.baselines,
    ...(r.error ? { error: r.error } : {}),
  }));
  const goals = last.goals.map((goal, g) => ({
    ...goal,
    actual: results.map((r) => r.goals[g]?.actual ?? '–').join(' / '),
    // Met when the median repeat met it: the majority of the verdicts.
    met: (() => {
      const verdicts = results.map((r) => r.goals[g]?.met).filter((v): v is boolean => typeof v === 'boolean');
      if (verdicts.length === 0) return null;
      return verdicts.filter(Boolean).length * 2 > verdicts.length;
    })(),
  }));
  const errors = results.map((r, i) => (r.error ? `repeat ${i + 1}: ${r.error}` : '')).filter(Boolean);
  return {
    ...last,
    durationSeconds: results.reduce((s, r) => s + r.durationSeconds, 0),
    ours: null,
    baselines: {},
    ratios: Object.fromEntries(ratioNames.map((name) => [name, ratioSpreads[name]?.median ?? null])),
    ratioSpreads,
    tables: [{
      title: `Ratios, median (min–max) of ${n}`,
      table: {
        headers: ['ratio', 'median', 'min', 'max', ...results.map((_r, i) => `repeat ${i + 1}`)],
        rows: ratioNames.map((name) => [name, ratioSpreads[name]?.median ?? null, ratioSpreads[name]?.min ?? null,
          ratioSpreads[name]?.max ?? null, ...results.map((r) => r.ratios[name] ?? null)]),
      },
    }, ...tables],
    goals,
    repeats,
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
  };
}
