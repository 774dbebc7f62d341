/**
 * Latency histograms that generators fill and the runner merges: log-spaced
 * buckets (2 % wide), so percentiles stay within 2 % whatever the sample
 * count, and a histogram crosses the IPC channel as a few hundred numbers.
 */

const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** The smallest value told apart from zero, in ms. */
const FLOOR_MS = 0.001;

export interface HistogramData {
  /** [bucket index, count] pairs. */
  buckets: [number, number][];
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface LatencySummary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

const bucketOf = (ms: number): number => (ms <= FLOOR_MS ? 0 : Math.ceil(Math.log(ms / FLOOR_MS) / LOG_GROWTH));
/** The upper edge of a bucket: a percentile never reads lower than the truth. */
const upperEdge = (bucket: number): number => FLOOR_MS * GROWTH ** bucket;

export class Histogram {
  private readonly counts = new Map<number, number>();

  count = 0;

  sum = 0;

  min = Number.POSITIVE_INFINITY;

  max = 0;

  record(ms: number): void {
    const value = Math.max(0, ms);
    const bucket = bucketOf(value);
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  merge(data: HistogramData): this {
    data.buckets.forEach(([bucket, n]) => this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + n));
    this.count += data.count;
    this.sum += data.sum;
    if (data.count > 0) {
      this.min = Math.min(this.min, data.min);
      this.max = Math.max(this.max, data.max);
    }
    return this;
  }

  reset(): void {
    this.counts.clear();
    this.count = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
  }

  toData(): HistogramData {
    return {
      buckets: [...this.counts.entries()],
      count: this.count,
      sum: this.sum,
      min: this.count ? this.min : 0,
      max: this.max,
    };
  }

  static from(...parts: HistogramData[]): Histogram {
    const h = new Histogram();
    parts.forEach((p) => h.merge(p));
    return h;
  }

  /** The value at quantile q (0..1), capped by the exact maximum. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    const sorted = [...this.counts.keys()].sort((a, b) => a - b);
    for (const bucket of sorted) {
      seen += this.counts.get(bucket) ?? 0;
      if (seen >= rank) return Math.min(upperEdge(bucket), this.max);
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      mean: this.count ? this.sum / this.count : 0,
      min: this.count ? this.min : 0,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: this.max,
    };
  }
}

/** Rounds for reports: 3 significant digits (what these measurements carry), whole numbers kept whole. */
export const round = (value: number, digits = 3): number => {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = 10 ** Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
};

export const roundSummary = (s: LatencySummary): LatencySummary => ({
  count: s.count,
  mean: round(s.mean),
  min: round(s.min),
  p50: round(s.p50),
  p90: round(s.p90),
  p99: round(s.p99),
  p999: round(s.p999),
  max: round(s.max),
});

/** ours ÷ baseline, or null when the baseline measured nothing. */
export const ratio = (ours: number, baseline: number): number | null => (
  baseline > 0 && Number.isFinite(ours) ? round(ours / baseline) : null
);
