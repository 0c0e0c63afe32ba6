// The decision pipeline. Decorates `pipeline`, evaluating against the policies plugin's active
// set; the plugins registered after it hand over their parts (cache, tracer, recorders).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { EvaluationConfig } from '../config/types.js';
import { DecisionPipeline } from '../decisions/pipeline.js';

declare module 'fastify' {
  interface FastifyInstance {
    pipeline: DecisionPipeline;
  }
}

async function pipelinePlugin(app: FastifyInstance, opts: { evaluation: EvaluationConfig; ndBuiltinCache?: boolean }): Promise<void> {
  const pipeline = new DecisionPipeline({
    policies: app.policies,
    ndBuiltinCache: opts.ndBuiltinCache === true,
    evaluation: { timeoutMs: opts.evaluation.timeout_ms, maxSteps: opts.evaluation.max_steps, maxOutputSize: opts.evaluation.max_output_size },
  });
  if (app.hasDecorator('decisionTracer')) pipeline.useTracer(app.decisionTracer);
  if (app.hasDecorator('metrics')) pipeline.addRecorder(app.metrics);
  app.decorate('pipeline', pipeline);
}

export default fp(pipelinePlugin, { name: 'pdp-pipeline', fastify: '5.x', dependencies: ['pdp-policies'] });
