// Capability: the audit decision log. A recorder of the pipeline (every decision, masked, to
// the configured sinks and the lookup store), GET /v1/decisions/{id}, the "decision_log" status
// section, delivery metrics; on close it flushes what is buffered (bounded by flush_timeout_ms).
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { appendFileSync } from 'node:fs';
import { decisionLogRoutes } from '../api/routes/decision-log.js';
import type { ClusterHooks } from '../cluster/worker-link.js';
import type { DecisionLogConfig, RedisConfig } from '../config/types.js';
import { createDecisionLog } from '../decisionlog/create.js';
import { policyMaskFrom } from '../decisionlog/mask/policy-mask.js';
import { policyDropFrom } from '../decisionlog/policy-drop.js';
import { callerOf } from '../decisionlog/record.js';
import { instanceLabels } from '../shared/instance.js';

export interface DecisionLogPluginOptions {
  config: DecisionLogConfig;
  redis: RedisConfig;
  /** Identify this instance in every record (OPA's `labels`; default: src/shared/instance.ts
   * without configured labels). */
  labels?: Record<string, string>;
  /** Where the stdout sink writes (default process.stdout). */
  stdout?: Writable;
  /** The other workers of this process (server.workers > 1): asked for records this one lacks,
   * and answered from this one's store. */
  siblings?: Pick<ClusterHooks, 'lookup' | 'answerLookups'>;
}

async function decisionLogPlugin(app: FastifyInstance, opts: DecisionLogPluginOptions): Promise<void> {
  const cfg = opts.config;
  const metrics = app.hasDecorator('metrics') ? app.metrics : undefined;
  const policyMask = policyMaskFrom(() => app.policies.current(), { path: cfg.mask_decision, native: cfg.native_mask });
  // Whether a new snapshot's mask can be computed natively is checked (probe records against the
  // Rego, a few ms) once it is active, not at its first record.
  const probe = (): void => void setImmediate(() => policyMask.mode?.());
  app.policies.on?.('activated', probe);
  // The policies start loading before this plugin registers: one may be active already.
  if (app.policies.current() !== null) probe();
  const log = createDecisionLog(cfg, opts.redis, {
    redis: app.hasDecorator('redis') ? app.redis : null,
    policyMask,
    policyDrop: policyDropFrom(() => app.policies.current(), { path: cfg.drop_decision }),
    labels: opts.labels ?? instanceLabels(undefined),
    ...(metrics ? { observer: metrics.logObserver } : {}),
    ...(opts.stdout ? { stdout: opts.stdout } : {}),
    ...(opts.siblings ? { siblings: { get: (id: string) => opts.siblings!.lookup(id) } } : {}),
  });
  // Records are made after the answers (src/decisions/pipeline.ts): a lookup first has the
  // pipeline hand over the ones still pending, so a decision read back after its answer is found.
  const flush = app.pipeline.flushRecords;
  opts.siblings?.answerLookups((id) => {
    flush();
    return log.getLocal(id);
  });
  if (cfg.raw) {
    app.log.warn(
      { setting: 'decision_log.raw' },
      'raw decision logging is on: requests (secrets and personal data included) are written unmasked to every decision-log sink and GET /v1/decisions/{id}',
    );
  }
  app.pipeline.addRecorder(log);
  const header = cfg.caller_header === '' ? null : cfg.caller_header.toLowerCase();
  app.pipeline.useCallerOf((q) => callerOf(q, header));
  decisionLogRoutes(app, {
    get: (id) => {
      flush();
      return log.get(id);
    },
  });
  app.status.add('decision_log', () => log.status());
  metrics?.bind({ decisionLog: () => log.status() });
  app.addHook('onClose', async () => {
    flush();
    const spillFile = cfg.spill_file;
    const loss = await log.close(cfg.flush_timeout_ms, spillFile === undefined ? undefined : (lines) => appendFileSync(spillFile, lines, { mode: 0o600 }));
    const lost = Object.values(loss.undelivered).reduce((a, b) => a + b, 0);
    // Never silent: an auditor must be able to tell a quiet shutdown from one that lost records.
    if (lost > 0) {
      app.log.error(
        {
          undelivered: loss.undelivered,
          spilled: loss.spilled,
          ...(spillFile !== undefined ? { spill_file: spillFile } : {}),
          ...(loss.spill_error ? { spill_error: loss.spill_error } : {}),
        },
        `decision log: ${lost} records not delivered within ${cfg.flush_timeout_ms} ms of shutdown` +
          (loss.spilled > 0 ? `; ${loss.spilled} written to the spill file` : ''),
      );
    }
  });
}

export default fp(decisionLogPlugin, { name: 'pdp-decision-log', fastify: '5.x', dependencies: ['pdp-status', 'pdp-policies', 'pdp-pipeline'] });
