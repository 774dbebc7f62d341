/** --repeat: the repeats of a scenario become medians with their spread, and busy repeats are flagged. */
import { strict as assert } from 'node:assert';
import type { RunInfo } from '../lib/environment';
import { combineRepeats, combineTables, isBusy } from '../lib/repeats';
import type { ScenarioResult } from '../lib/report';
import { scenarioMarkdown } from '../lib/report';

const run: RunInfo = {
  date: '2026-01-01T00:00:00.000Z',
  quick: false,
  machine: {
    cores: 2, cpuModel: 'test', memoryGb: 4, os: 'Linux', node: 'v22',
  },
  database: { kind: 'FerretDB', version: 'v1.24.2', source: 'test' },
  redis: 'test',
  fileLimit: 1024,
  loadAverageAtStart: 0,
};

const result = (p99: number, verdict: string, ratio: number | null): ScenarioResult => ({
  scenario: 'latency',
  title: '3. Latency',
  run,
  size: { clients: 10 },
  durationSeconds: 10,
  ours: { p99 },
  baselines: {},
  ratios: { 'p99 ÷ bare': ratio },
  tables: [{
    title: 'Steps',
    table: { headers: ['server', 'p99', 'kept up'], rows: [['ours', p99, verdict], ['ours', 2 * p99, 'yes'], ['bare', 1, 'yes']] },
  }],
  goals: [{ goal: 'p99 < 50 ms', actual: `${p99} ms`, met: p99 < 50 }],
  notes: [],
});

describe('bench repeats', () => {
  it('gives each figure as median (min–max), rows matched by name and order, differing verdicts listed', () => {
    const table = combineTables([30, 10, 20].map((p99, i) => result(p99, i === 0 ? 'no' : 'yes', 1).tables[0]!.table));
    assert.deepEqual(table.rows, [
      ['ours', '20 (10–30)', 'no / yes'],
      ['ours', '40 (20–60)', 'yes'],
      ['bare', 1, 'yes'],
    ]);
  });

  it('reports ratios as medians with their spread, goals by majority, and the load before each repeat', () => {
    const combined = combineRepeats([result(30, 'yes', 3), result(10, 'yes', 1), result(70, 'no', null)], [0.2, 1.4, 0.5]);
    assert.equal(combined.ratios['p99 ÷ bare'], 2);
    assert.deepEqual(combined.ratioSpreads?.['p99 ÷ bare'], {
      median: 2, min: 1, max: 3, count: 2,
    });
    assert.equal(combined.goals[0]?.met, true, 'two of three met it');
    assert.deepEqual(combined.repeats?.map((r) => r.busy), [false, true, false]);
    const markdown = scenarioMarkdown(combined);
    assert.match(markdown, /load average before each repeat: 1: 0\.2, 2: 1\.4 \(\*\*busy\*\*\), 3: 0\.5/);
    assert.match(markdown, /\| p99 ÷ bare \| 2 \| 1 \| 3 \| 3 \| 1 \| – \|/);
  });

  it('calls a machine busy from a load average of half its cores', () => {
    assert.equal(isBusy(0.99, 2), false);
    assert.equal(isBusy(1, 2), true);
  });
});
