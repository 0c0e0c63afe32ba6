// Capability: the Kubernetes validating admission webhook for model-serving workloads. Decorates
// `admission` (the AdmissionController, src/admission/), adds the `admission` status section and
// serves POST /v1/admission/model-deployment. Decisions go through the pipeline plugin's
// DecisionPipeline, so each one has its id, span, audit record, cache rule and metrics. Holds no
// resources: nothing to release on close.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AdmissionController } from '../admission/controller.js';
import { ADMISSION_BODY_LIMIT, admissionRoutes } from '../api/routes/admission.js';
import type { AdmissionConfig } from '../config/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    admission: AdmissionController;
  }
}

async function admissionPlugin(app: FastifyInstance, opts: { config: AdmissionConfig; bodyLimit: number }): Promise<void> {
  const controller = new AdmissionController(opts.config, app.pipeline, (err) =>
    app.log.error({ err }, 'admission webhook failed; answered with its failure mode'),
  );
  app.decorate('admission', controller);
  app.status.add('admission', () => ({
    default_mode: opts.config.default_mode,
    failure_mode: opts.config.failure_mode,
    timeout_ms: opts.config.timeout_ms,
    namespaces: Object.keys(opts.config.namespaces).length,
  }));
  admissionRoutes(app, controller, Math.max(opts.bodyLimit, ADMISSION_BODY_LIMIT));
}

export default fp(admissionPlugin, { name: 'pdp-admission', fastify: '5.x', dependencies: ['pdp-pipeline', 'pdp-status'] });
