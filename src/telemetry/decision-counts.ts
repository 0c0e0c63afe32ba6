// pdp_decisions_total and pdp_decision_duration_seconds: counted per decision in plain numbers,
// handed to the registry in prom-client's own format only when it is read. prom-client's
// counter and histogram look up their label set and walk objects on every observation (~0.7 µs a
// decision in a loop, ~2.4 µs of a cache hit's CPU in the service, docs/benchmarks.md session
// 22); here a decision costs a bucket search and a few additions.
import type { Registry } from 'prom-client';

/** The counts of one (path, outcome, cached) label set. */
export interface DecisionSeries {
  readonly path: string;
  readonly outcome: string;
  count: number;
  /** Shared by the series of every outcome on the same path and cached: the histogram's label set. */
  readonly durations: Durations;
}

/** One (path, cached) label set of the histogram. */
interface Durations {
  readonly path: string;
  readonly cached: string;
  count: number;
  /** Added in the order observed, as prom-client adds (the same float). */
  sum: number;
  /** Per bucket (not cumulative): [i] counts values ≤ bounds[i] and above bounds[i-1]; the last
   * slot, values above every bound. */
  readonly buckets: Float64Array;
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

interface RegistryMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: MetricValue[] }>;
  reset(): void;
}

export class DecisionCounts {
  private readonly all: DecisionSeries[] = [];
  private readonly durations = new Map<string, Durations>();
  private readonly bounds: readonly number[];

  /** `bounds`: the histogram's upper bounds, ascending. */
  constructor(bounds: readonly number[]) {
    this.bounds = [...bounds];
  }

  /** A new label set's counts (the caller keeps it, and bounds how many it makes). */
  series(path: string, outcome: string, cached: boolean): DecisionSeries {
    const key = `${path}\u0000${cached ? 1 : 0}`;
    let durations = this.durations.get(key);
    if (durations === undefined) {
      durations = { path, cached: String(cached), count: 0, sum: 0, buckets: new Float64Array(this.bounds.length + 1) };
      this.durations.set(key, durations);
    }
    const s: DecisionSeries = { path, outcome, count: 0, durations };
    this.all.push(s);
    return s;
  }

  observe(s: DecisionSeries, seconds: number): void {
    s.count++;
    const d = s.durations;
    d.count++;
    d.sum += seconds;
    const b = this.bounds;
    let i = 0;
    while (i < b.length && seconds > (b[i] as number)) i++;
    (d.buckets as { [i: number]: number })[i]++;
  }

  /** Registers the two metrics; `beforeRead` runs before either is read. */
  register(registry: Registry, opts: { counter: { name: string; help: string }; histogram: { name: string; help: string }; beforeRead: () => void }): void {
    const metric = (meta: { name: string; help: string }, type: RegistryMetric['type'], values: () => MetricValue[]): RegistryMetric => ({
      ...meta,
      type,
      aggregator: 'sum',
      get: async () => {
        opts.beforeRead();
        return { ...meta, type, aggregator: 'sum', values: values() };
      },
      reset: () => this.reset(),
    });
    const counter = metric(opts.counter, 'counter', () => this.counterValues());
    const histogram = metric(opts.histogram, 'histogram', () => this.histogramValues(opts.histogram.name));
    // prom-client's registry takes any object of its metric shape (name, get, reset).
    registry.registerMetric(counter as unknown as Parameters<Registry['registerMetric']>[0]);
    registry.registerMetric(histogram as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  private reset(): void {
    for (const s of this.all) s.count = 0;
    for (const d of this.durations.values()) {
      d.count = 0;
      d.sum = 0;
      d.buckets.fill(0);
    }
  }

  /** By (path, outcome), summed over cached; label sets never counted are left out. */
  private counterValues(): MetricValue[] {
    const by = new Map<string, MetricValue>();
    for (const s of this.all) {
      if (s.count === 0) continue;
      const key = `${s.path}\u0000${s.outcome}`;
      const v = by.get(key);
      if (v) v.value += s.count;
      else by.set(key, { value: s.count, labels: { path: s.path, outcome: s.outcome } });
    }
    return [...by.values()];
  }

  /** By (path, cached): cumulative buckets, +Inf, _sum and _count. */
  private histogramValues(name: string): MetricValue[] {
    const values: MetricValue[] = [];
    for (const d of this.durations.values()) {
      if (d.count === 0) continue;
      const labels = { path: d.path, cached: d.cached };
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += d.buckets[i] as number;
        values.push({ value: acc, labels: { le, ...labels }, metricName: `${name}_bucket` });
      });
      values.push({ value: d.count, labels: { le: '+Inf', ...labels }, metricName: `${name}_bucket` });
      values.push({ value: d.sum, labels, metricName: `${name}_sum` });
      values.push({ value: d.count, labels, metricName: `${name}_count` });
    }
    return values;
  }
}
