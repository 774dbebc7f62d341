/**
 * Results: one JSON file per scenario in bench/results/, and summary.md, a
 * Markdown page of every scenario's table, goals and notes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunInfo } from './environment';

export const RESULTS_DIR = path.resolve(__dirname, '..', 'results');

export type Cell = string | number | null;

export interface Table {
  headers: string[];
  rows: Cell[][];
}

/** A goal from the brief, printed beside the figure; never asserted. */
export interface Goal {
  goal: string;
  actual: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

/** A figure over repeats. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Repeats that measured it. */
  count: number;
}

/** What one repeat saw of the machine, and what it measured. */
export interface RepeatRecord {
  /** 1-minute load average just before the repeat began. */
  loadAverage: number;
  busy: boolean;
  durationSeconds: number;
  ratios: Record<string, number | null>;
  ours: unknown;
  baselines: Record<string, unknown>;
  error?: string;
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  run: RunInfo;
  /** What was offered: clients, groups, rates, durations. */
  size: Record<string, Cell>;
  durationSeconds: number;
  /** Our system's figures. */
  ours: unknown;
  /** Each baseline's figures, by name. */
  baselines: Record<string, unknown>;
  /** ours ÷ baseline for the headline figures. */
  ratios: Record<string, number | null>;
  tables: { title: string; table: Table }[];
  goals: Goal[];
  notes: string[];
  /** With --repeat: each ratio's median and min–max (`ratios` then holds the medians). */
  ratioSpreads?: Record<string, Spread | null>;
  /** With --repeat: every repeat's load average before it, ratios and figures (the tables give medians). */
  repeats?: RepeatRecord[];
  /** Set when the scenario could not finish; the rest holds what was measured. */
  error?: string;
}

export function writeResult(result: ScenarioResult, dir = RESULTS_DIR): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.scenario}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

const cellText = (cell: Cell): string => {
  if (cell === null) return '–';
  return String(cell).replace(/\|/g, '\\|');
};

export function markdownTable(table: Table): string {
  const lines = [
    `| ${table.headers.map(cellText).join(' | ')} |`,
    `| ${table.headers.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(cellText).join(' | ')} |`),
  ];
  return lines.join('\n');
}

const goalMark = (met: boolean | null): string => {
  if (met === null) return 'not measured';
  return met ? 'met' : 'NOT met';
};

function runHeader(run: RunInfo): string {
  const m = run.machine;
  return [
    `- Date: ${run.date}${run.quick ? ' (quick mode: small sizes, indicative only)' : ''}`,
    `- Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, ${m.os}, Node ${m.node}`,
    `- Database: ${run.database.kind} ${run.database.version} (${run.database.source})`,
    `- Redis: ${run.redis}`,
    `- Open-files limit: ${run.fileLimit}; load average when the run began: ${run.loadAverageAtStart}${
      run.loadAverageAtStart >= m.cores / 2 ? ' (**the machine was busy with other work: treat the figures with caution**)' : ''}`,
    '- Everything over 127.0.0.1; load generators in processes of their own (their CPU is reported);'
      + ' the servers, Redis, the database and the generators share these cores.',
  ].join('\n');
}

export function scenarioMarkdown(result: ScenarioResult): string {
  const parts = [`## ${result.title}`, ''];
  if (result.error) parts.push(`**Did not finish:** ${result.error}`, '');
  const size = Object.entries(result.size).map(([k, v]) => `${k} ${cellText(v)}`).join(', ');
  parts.push(`Size: ${size}. Took ${Math.round(result.durationSeconds)} s.`, '');
  if (result.repeats) {
    const loads = result.repeats.map((r, i) => `${i + 1}: ${r.loadAverage}${r.busy ? ' (**busy**)' : ''}`).join(', ');
    parts.push(`Repeated ${result.repeats.length} times; 1-minute load average before each repeat: ${loads}.`
      + ` A repeat is flagged busy when the load average is at least half the cores (${result.run.machine.cores / 2} here):`
      + ' other work then competed for the CPU; its figures are worse than the code deserves.', '');
  }
  result.tables.forEach(({ title, table }) => {
    parts.push(`**${title}**`, '', markdownTable(table), '');
  });
  if (result.goals.length > 0) {
    parts.push(markdownTable({
      headers: ['Goal', 'Measured', 'Verdict'],
      rows: result.goals.map((g) => [g.goal, g.actual, goalMark(g.met)]),
    }), '');
  }
  if (result.scenario === 'fanout' && !result.error) parts.push('![Fan-out: deliveries per second and p99 against offered load](fanout.svg)', '');
  result.notes.forEach((n) => parts.push(`- ${n}`));
  if (result.notes.length > 0) parts.push('');
  return parts.join('\n');
}

/** Results already in `dir` (this run's and earlier ones'), in scenario order. */
export function readResults(order: string[], dir = RESULTS_DIR): ScenarioResult[] {
  return order
    .map((name) => path.join(dir, `${name}.json`))
    .filter((file) => fs.existsSync(file))
    .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as ScenarioResult);
}

/** summary.md from every result in `dir`; one from another run says so. */
export function writeSummary(run: RunInfo, order: string[], dir = RESULTS_DIR): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'summary.md');
  const sections = readResults(order, dir).map((result) => {
    const other = result.run.date === run.date ? '' : `_From an earlier run (${result.run.date}, ${
      result.run.database.kind}${result.run.quick ? ', quick' : ''})._\n\n`;
    return scenarioMarkdown(result).replace('\n\n', `\n\n${other}`);
  });
  const body = [
    '# Benchmark results',
    '',
    runHeader(run),
    '',
    'Ratios are ours ÷ baseline (for latency, memory and CPU lower is better; for throughput higher is better).',
    'Goals are printed beside the figures, not asserted. `fanout.svg` charts scenario 2.',
    '',
    ...sections,
  ].join('\n');
  fs.writeFileSync(file, body);
  return file;
}
