/** The latency histograms every figure goes through: percentiles within their 2 % bucket, merging, SVG output. */
import { strict as assert } from 'node:assert';
import { Histogram, ratio, round } from '../lib/stats';
import { chartSvg } from '../lib/svg';

const within = (actual: number, expected: number, tolerance: number) => {
  assert.ok(Math.abs(actual - expected) <= tolerance * expected, `${actual} is not within ${tolerance * 100} % of ${expected}`);
};

describe('bench statistics', () => {
  it('reads percentiles within 2 % and never below the true value', () => {
    const h = new Histogram();
    for (let ms = 1; ms <= 10000; ms += 1) h.record(ms / 10);
    const s = h.summary();
    assert.equal(s.count, 10000);
    within(s.p50, 500, 0.02);
    within(s.p99, 990, 0.02);
    within(s.p999, 999, 0.02);
    assert.ok(s.p99 >= 990);
    assert.equal(s.max, 1000);
    assert.equal(s.min, 0.1);
    within(s.mean, 500.05, 1e-9);
  });

  it('merges histograms from several generators into the same percentiles as one', () => {
    const one = new Histogram();
    const parts = [new Histogram(), new Histogram(), new Histogram()];
    for (let i = 0; i < 3000; i += 1) {
      const ms = (i * 7919) % 2000;
      one.record(ms);
      parts[i % 3]?.record(ms);
    }
    const merged = Histogram.from(...parts.map((p) => p.toData()));
    assert.deepEqual(merged.summary(), one.summary());
  });

  it('answers zeros for an empty histogram and null ratios against nothing', () => {
    assert.deepEqual(new Histogram().summary(), {
      count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0,
    });
    assert.equal(ratio(5, 0), null);
    assert.equal(ratio(3, 2), 1.5);
    assert.equal(round(123456.789), 123457);
    assert.equal(round(0.0012345), 0.00123);
  });

  it('draws one line per series, escaped labels and a log axis that skips zeros', () => {
    const svg = chartSvg([{
      title: 'p99 <ms>',
      xLabel: 'offered',
      yLabel: 'ms',
      logY: true,
      series: [
        { name: 'ours & co', color: '#f00', points: [[1000, 5], [2000, 0], [4000, 50]] },
        { name: 'baseline', color: '#00f', points: [[1000, 2], [2000, 3]] },
      ],
    }], 'caption');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal(svg.match(/<polyline /g)?.length, 2);
    assert.ok(svg.includes('p99 &lt;ms&gt;') && svg.includes('ours &amp; co'));
    assert.ok(!svg.includes('NaN') && !svg.includes('Infinity'));
  });
});
