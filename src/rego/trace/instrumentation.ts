// OPA's evaluation instrumentation (`?instrument=true`): per-operation timers, their histograms
// and counters, reported under OPA's metric names (timer_<op>_ns, histogram_<op>, counter_<op>).
// Only operations this engine really performs are recorded: builtin calls (eval_op_builtin_call)
// and lookups of a rule's value in the per-evaluation cache of rule values, OPA's "virtual cache"
// (eval_op_virtual_cache_hit / _miss). Made only when asked for: an evaluation without one pays a
// single undefined check per builtin call and per rule lookup.

/** OPA's histogram statistics (go-metrics): count, min, max, mean, stddev, median and percentiles. */
export type HistogramStats = Readonly<Record<string, number>>;

/** Samples kept for percentiles, as OPA's reservoir (go-metrics' default size). */
const RESERVOIR = 1028;
const PERCENTILES: [string, number][] = [
  ['median', 0.5],
  ['75%', 0.75],
  ['90%', 0.9],
  ['95%', 0.95],
  ['99%', 0.99],
  ['99.9%', 0.999],
  ['99.99%', 0.9999],
];

class Histogram {
  private count = 0;
  private min = Infinity;
  private max = -Infinity;
  private mean = 0;
  /** Sum of squared distances from the mean (Welford), for the standard deviation. */
  private m2 = 0;
  private readonly sample: number[] = [];

  update(v: number): void {
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const d = v - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (v - this.mean);
    // A uniform sample of every value seen (reservoir sampling): percentiles stay bounded in cost.
    if (this.sample.length < RESERVOIR) this.sample.push(v);
    else {
      const j = Math.floor(Math.random() * this.count);
      if (j < RESERVOIR) this.sample[j] = v;
    }
  }

  value(): HistogramStats {
    const sorted = [...this.sample].sort((a, b) => a - b);
    const n = sorted.length;
    // go-metrics' percentile: linear interpolation at p·(n+1), clamped to the ends.
    const pct = (p: number): number => {
      const pos = p * (n + 1);
      if (pos < 1) return sorted[0];
      if (pos >= n) return sorted[n - 1];
      const lo = sorted[Math.floor(pos) - 1];
      const hi = sorted[Math.floor(pos)];
      return lo + (pos - Math.floor(pos)) * (hi - lo);
    };
    const out: Record<string, number> = {
      count: this.count,
      min: this.min,
      max: this.max,
      mean: this.mean,
      stddev: Math.sqrt(this.m2 / this.count),
    };
    for (const [k, p] of PERCENTILES) out[k] = pct(p);
    return out;
  }
}

export class Instrumentation {
  private readonly timers = new Map<string, number>();
  private readonly histograms = new Map<string, Histogram>();
  private readonly counters = new Map<string, number>();

  /** One timed operation of `ns` nanoseconds: added to its timer and its histogram. */
  time(op: string, ns: number): void {
    this.timers.set(op, (this.timers.get(op) ?? 0) + ns);
    let h = this.histograms.get(op);
    if (h === undefined) this.histograms.set(op, (h = new Histogram()));
    h.update(ns);
  }

  count(op: string): void {
    this.counters.set(op, (this.counters.get(op) ?? 0) + 1);
  }

  /** The metrics under OPA's names; an operation that never happened has no key (as in OPA). */
  toJSON(): Record<string, number | HistogramStats> {
    const out: Record<string, number | HistogramStats> = {};
    for (const [op, ns] of this.timers) out[`timer_${op}_ns`] = ns;
    for (const [op, h] of this.histograms) out[`histogram_${op}`] = h.value();
    for (const [op, n] of this.counters) out[`counter_${op}`] = n;
    return out;
  }
}
