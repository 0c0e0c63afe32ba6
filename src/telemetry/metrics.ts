// Prometheus metrics (prom-client), served at GET /metrics as Prometheus text.
//
//   pdp_decisions_total{path,outcome}                    counter  outcome: allow|deny|defined|undefined|malformed|error|no_policy
//   pdp_decision_duration_seconds{path,cached}           histogram
//   pdp_cache_lookups_total{tier,result}                 counter  tier: memory|redis, result: hit|miss|rejected
//   pdp_cache_entries{tier="memory"}                     gauge
//   pdp_redis_state{state}                               gauge    1 for the current state: ok|degraded|disabled
//   pdp_redis_breaker_state{state}                       gauge    1 for the current state: closed|open|half_open
//   pdp_bundle_info{bundle,revision,engine}              gauge    1 per active bundle revision
//   pdp_bundle_activation_age_seconds{bundle}            gauge    time since the active revision was activated
//   pdp_bundle_last_activation_error{bundle}             gauge    1 while the last attempt failed
//   pdp_bundle_activation_failures_total{bundle}         counter
//   pdp_decision_log_queue_depth{sink}                   gauge    records buffered or in flight
//   pdp_decision_log_delivered_total{sink}               counter
//   pdp_decision_log_dropped_total{sink}                 counter  dropped because the buffer was full
//   pdp_decision_log_sink_errors_total{sink}             counter  failed deliveries (each retried)
//   pdp_decision_log_policy_dropped_total                counter  records the drop policy (system.log.drop) dropped
//   pdp_auth_failures_total{reason}                      counter  requests refused by authentication/authorization
//   pdp_authzen_requests_total{endpoint,status}          counter  AuthZEN API requests (registered by src/plugins/authzen.ts)
//   plus prom-client's process/nodejs default metrics.
//
// Paths are caller-controlled on the Data API, so the `path` label is bounded: after
// `maxPathLabels` distinct paths, new ones are counted as "other".
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { BundleStatus } from '../bundles/types.js';
import type { CacheObserver, CacheStatus } from '../cache/types.js';
import type { DecisionLogStatus, LogObserver } from '../decisionlog/types.js';
import type { DecisionRecord, DecisionRecorder } from '../decisions/types.js';
import { DecisionCounts, type DecisionSeries } from './decision-counts.js';

export type DecisionOutcomeLabel = 'allow' | 'deny' | 'defined' | 'undefined' | 'malformed' | 'error' | 'no_policy';

const OUTCOME_INDEX: Readonly<Record<DecisionOutcomeLabel, number>> = { allow: 0, deny: 1, defined: 2, undefined: 3, malformed: 4, error: 5, no_policy: 6 };

export interface MetricsSources {
  cache?: () => CacheStatus;
  bundles?: () => readonly BundleStatus[];
  decisionLog?: () => DecisionLogStatus;
}

export class PdpMetrics implements DecisionRecorder {
  readonly registry: Registry;
  readonly cacheObserver: CacheObserver;
  readonly logObserver: LogObserver;
  private readonly maxPathLabels: number;
  private readonly knownPaths = new Set<string>();
  /** Raw path → its series by OUTCOME_INDEX × 2 + cached (bounded: see decision()). */
  private readonly decisionSeries = new Map<string, (DecisionSeries | undefined)[]>();
  /** Path label and series index → its series: one per label set. */
  private readonly seriesByLabels = new Map<string, DecisionSeries>();
  private readonly counts: DecisionCounts;
  private sources: MetricsSources = {};
  private beforeRead: (() => void) | undefined;
  private readonly bundleFailures: Counter<'bundle'>;
  private readonly authFailures: Counter<'reason'>;

  constructor(opts: { defaultMetrics?: boolean; maxPathLabels?: number; now?: () => number } = {}) {
    const registry = new Registry();
    this.registry = registry;
    this.maxPathLabels = opts.maxPathLabels ?? 100;
    const now = opts.now ?? Date.now;
    const registers = [registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

    this.counts = new DecisionCounts([0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);
    this.counts.register(registry, {
      counter: { name: 'pdp_decisions_total', help: 'Decisions answered, by decision path and outcome.' },
      histogram: {
        name: 'pdp_decision_duration_seconds',
        help: 'Time from request entering the decision pipeline to answer, by path and whether it was cached.',
      },
      // Decisions are counted when their records are made, just after the answers: a read of the
      // registry (this worker's /metrics, or the primary collecting every worker's) first has the
      // ones still pending counted, so a decision answered before the read is in it.
      beforeRead: () => this.beforeRead?.(),
    });
    // Counted in plain numbers per lookup (prom-client hashes the label object on every inc),
    // handed to the counter when it is read.
    const lookupCounts = new Map<string, { hit: number; miss: number; rejected: number }>();
    const counts = (tier: string) => {
      let c = lookupCounts.get(tier);
      if (c === undefined) lookupCounts.set(tier, (c = { hit: 0, miss: 0, rejected: 0 }));
      return c;
    };
    new Counter({
      name: 'pdp_cache_lookups_total',
      help: 'Decision cache lookups by tier and result.',
      labelNames: ['tier', 'result'] as const,
      registers,
      collect() {
        this.reset();
        for (const [tier, c] of lookupCounts) {
          for (const result of ['hit', 'miss', 'rejected'] as const) if (c[result] > 0) this.inc({ tier, result }, c[result]);
        }
      },
    });
    this.cacheObserver = {
      hit: (tier) => void counts(tier).hit++,
      miss: (tier) => void counts(tier).miss++,
      rejected: (tier) => void counts(tier).rejected++,
    };
    const self = this;
    new Gauge({
      name: 'pdp_cache_entries',
      help: 'Entries in the in-process decision cache.',
      labelNames: ['tier'] as const,
      registers,
      collect() {
        const s = self.sources.cache?.();
        if (s) this.set({ tier: 'memory' }, s.memory.entries);
      },
    });
    new Gauge({
      name: 'pdp_redis_state',
      // Across cluster workers (server.workers > 1) a state, not a sum: 1 when any worker is in it.
      aggregator: 'max',
      help: 'Redis tier state: 1 for the current one of ok, degraded, disabled.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const s = self.sources.cache?.();
        if (!s) return;
        for (const state of ['ok', 'degraded', 'disabled'] as const) this.set({ state }, s.redis === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'pdp_redis_breaker_state',
      // Across cluster workers (server.workers > 1) a state, not a sum: 1 when any worker is in it.
      aggregator: 'max',
      help: 'Redis circuit breaker: 1 for the current one of closed, open, half_open.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const s = self.sources.cache?.();
        if (!s) return;
        for (const state of ['closed', 'open', 'half_open'] as const) this.set({ state }, s.breaker === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'pdp_bundle_info',
      // Across cluster workers (server.workers > 1) a state, not a sum: 1 when any worker is in it.
      aggregator: 'max',
      help: 'Active bundle revisions (value 1), with the engine serving them.',
      labelNames: ['bundle', 'revision', 'engine'] as const,
      registers,
      collect() {
        this.reset();
        for (const b of self.sources.bundles?.() ?? []) {
          if (b.revision !== null) this.set({ bundle: b.name, revision: b.revision, engine: b.engine ?? '' }, 1);
        }
      },
    });
    new Gauge({
      name: 'pdp_bundle_activation_age_seconds',
      // Across cluster workers: the oldest activation.
      aggregator: 'max',
      help: 'Seconds since the active revision of each bundle was activated.',
      labelNames: ['bundle'] as const,
      registers,
      collect() {
        this.reset();
        for (const b of self.sources.bundles?.() ?? []) {
          const at = b.activated_at ? Date.parse(b.activated_at) : NaN;
          if (Number.isFinite(at)) this.set({ bundle: b.name }, Math.max(0, (now() - at) / 1000));
        }
      },
    });
    new Gauge({
      name: 'pdp_bundle_last_activation_error',
      // Across cluster workers (server.workers > 1) a state, not a sum: 1 when any worker is in it.
      aggregator: 'max',
      help: '1 while the most recent activation attempt of a bundle failed (the last good revision keeps serving).',
      labelNames: ['bundle'] as const,
      registers,
      collect() {
        this.reset();
        for (const b of self.sources.bundles?.() ?? []) {
          const failedLast = b.last_error !== null && (b.activated_at === null || Date.parse(b.last_error.at) >= Date.parse(b.activated_at));
          this.set({ bundle: b.name }, failedLast ? 1 : 0);
        }
      },
    });
    // `reason` is one of a fixed set (src/auth/failures.ts), never caller text.
    this.authFailures = new Counter({
      name: 'pdp_auth_failures_total',
      help: 'Requests refused by caller authentication (401), authorization (403) or because the caller could not be verified (503), by reason.',
      labelNames: ['reason'] as const,
      registers,
    });
    this.bundleFailures = new Counter({
      name: 'pdp_bundle_activation_failures_total',
      help: 'Bundle activation attempts that failed (fetch, verify, compile).',
      labelNames: ['bundle'] as const,
      registers,
    });
    new Gauge({
      name: 'pdp_decision_log_queue_depth',
      help: 'Decision log records buffered or in flight, per sink.',
      labelNames: ['sink'] as const,
      registers,
      collect() {
        for (const s of self.sources.decisionLog?.().sinks ?? []) this.set({ sink: s.name }, s.queue_depth);
      },
    });
    const delivered = new Counter({
      name: 'pdp_decision_log_delivered_total',
      help: 'Decision log records delivered, per sink.',
      labelNames: ['sink'] as const,
      registers,
    });
    const dropped = new Counter({
      name: 'pdp_decision_log_dropped_total',
      help: 'Decision log records dropped because the sink buffer was full, per sink.',
      labelNames: ['sink'] as const,
      registers,
    });
    const sinkErrors = new Counter({
      name: 'pdp_decision_log_sink_errors_total',
      help: 'Failed deliveries to a decision log sink (each is retried with backoff).',
      labelNames: ['sink'] as const,
      registers,
    });
    const policyDropped = new Counter({
      name: 'pdp_decision_log_policy_dropped_total',
      help: 'Decision log records not logged because the drop policy (decision_log.drop_decision) returned true.',
      registers,
    });
    this.logObserver = {
      policyDropped: () => policyDropped.inc(),
      delivered: (sink, n) => delivered.inc({ sink }, n),
      dropped: (sink, n) => dropped.inc({ sink }, n),
      failed: (sink) => sinkErrors.inc({ sink }),
    };
  }

  /** Where gauges read current state from (cache status, bundle status, log status). */
  bind(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** A recorder of the pipeline: counts every decision by path and outcome, with its latency. */
  log(r: DecisionRecord): void {
    this.decision(r.path, outcomeLabel(r.outcome, r.decision?.allow), r.duration_ms / 1000, r.cached);
  }

  decision(path: string, outcome: DecisionOutcomeLabel, seconds: number, cached: boolean): void {
    // Found by the raw path first (no key string per decision): its path label (bounded, see
    // pathLabel) is made once per path.
    let row = this.decisionSeries.get(path);
    if (row === undefined) {
      row = [];
      // Raw paths are caller-controlled (the Data API): past this many, each decision on a new one
      // finds its series by label.
      if (this.decisionSeries.size < (this.maxPathLabels + 1) * 2) this.decisionSeries.set(path, row);
    }
    const i = OUTCOME_INDEX[outcome] * 2 + (cached ? 1 : 0);
    let s = row[i];
    if (s === undefined) {
      const p = this.pathLabel(path);
      const labels = `${p}\u0000${i}`;
      s = this.seriesByLabels.get(labels);
      if (s === undefined) {
        s = this.counts.series(p, outcome, cached);
        this.seriesByLabels.set(labels, s);
      }
      row[i] = s;
    }
    this.counts.observe(s, seconds);
  }

  authFailed(reason: string): void {
    this.authFailures.inc({ reason });
  }

  bundleActivationFailed(bundle: string): void {
    this.bundleFailures.inc({ bundle });
  }

  /** Called before the registry is read (see pdp_decisions_total). */
  onRead(fn: () => void): void {
    this.beforeRead = fn;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private pathLabel(path: string): string {
    const p = path.replace(/^\/+|\/+$/g, '');
    if (this.knownPaths.has(p)) return p;
    if (this.knownPaths.size >= this.maxPathLabels) return 'other';
    this.knownPaths.add(p);
    return p;
  }
}

/** The outcome label for a decision: allow/deny for decision endpoints, defined/undefined for
 * Data API queries; failures by kind. */
export function outcomeLabel(outcome: string, allow: boolean | undefined): DecisionOutcomeLabel {
  switch (outcome) {
    case 'decided':
      return allow === undefined ? 'defined' : allow ? 'allow' : 'deny';
    case 'undefined':
    case 'malformed':
    case 'error':
    case 'no_policy':
      return outcome;
    default:
      return 'error';
  }
}
