// Capability: the Kubernetes validating admission webhook for model-serving workloads. Decorates
// `admission` (the AdmissionController, src/admission/), adds the `admission` status section and
// serves POST /v1/admission/model-deployment. Decisions go through the pipeline plugin's
// DecisionPipeline, so each one has its id, span, audit record, cache rule and metrics; namespace
// labels and registry records are read from the policies plugin's active bundle data. Holds no
// resources: nothing to release on close.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { snapshotData } from '../admission/bundle-data.js';
import { AdmissionController } from '../admission/controller.js';
import { ADMISSION_BODY_LIMIT, admissionRoutes } from '../api/routes/admission.js';
import type { AdmissionConfig } from '../config/types.js';

/** Largest namespace-labels or registry-record document read from bundle data, in JSON nodes. */
const BUNDLE_DATA_MAX_NODES = 10_000;

declare module 'fastify' {
  interface FastifyInstance {
    admission: AdmissionController;
  }
}

async function admissionPlugin(app: FastifyInstance, opts: { config: AdmissionConfig; bodyLimit: number }): Promise<void> {
  // Namespace labels and registry records are read from the active bundles' data, bounded like
  // a decision: within the webhook's budget, and small (a namespace, a record).
  const data = snapshotData(app.policies, { timeoutMs: opts.config.timeout_ms, maxOutputSize: BUNDLE_DATA_MAX_NODES });
  const controller = new AdmissionController(opts.config, app.pipeline, data, {
    onError: (err) => app.log.error({ err }, 'admission webhook failed; answered with its failure mode'),
    // No decision record for these: the service log keeps the id the answer names.
    onUndecided: (a) => app.log.warn({ admission: a }, 'admission answered without a decision'),
  });
  app.decorate('admission', controller);
  app.status.add('admission', () => ({
    default_mode: opts.config.default_mode,
    failure_mode: opts.config.failure_mode,
    timeout_ms: opts.config.timeout_ms,
    namespaces: Object.keys(opts.config.namespaces).length,
  }));
  admissionRoutes(app, controller, Math.max(opts.bodyLimit, ADMISSION_BODY_LIMIT));
}

export default fp(admissionPlugin, { name: 'pdp-admission', fastify: '5.x', dependencies: ['pdp-pipeline', 'pdp-status', 'pdp-policies'] });
