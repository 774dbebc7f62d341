/**
 * Every fault scenario's figures: printed as the run goes, and gathered in
 * test/reliability/results.json (one entry per scenario, replaced when the
 * scenario runs again), so a run leaves a record to compare against.
 */
import fs from 'node:fs';
import path from 'node:path';

export const RESULTS_FILE = path.resolve(__dirname, '..', 'results.json');

export type Figures = Record<string, unknown>;

interface ResultsFile {
  updated: string;
  scenarios: Record<string, Figures & { at: string }>;
}

function readResults(): ResultsFile {
  try {
    const parsed = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as Partial<ResultsFile>;
    if (parsed && typeof parsed.scenarios === 'object' && parsed.scenarios) {
      return { updated: String(parsed.updated ?? ''), scenarios: parsed.scenarios };
    }
  } catch {
    // No file yet, or a broken one: start a new record.
  }
  return { updated: '', scenarios: {} };
}

export function recordResult(scenario: string, figures: Figures): void {
  const at = new Date().toISOString();
  process.stdout.write(`      [${scenario}] ${JSON.stringify(figures)}\n`);
  const results = readResults();
  results.updated = at;
  results.scenarios[scenario] = { ...figures, at };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
}
