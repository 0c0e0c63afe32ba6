// buildApp: the fastify application, wired once. Data flows one way:
// route → schema (fastify + ajv) → DecisionPipeline → ActivePolicySet/engine → answer.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_EVALUATION, DEFAULT_SERVER } from '../config/defaults.js';
import { packageRoot } from '../config/package-root.js';
import { schemas, validatorFor, ajv } from '../config/schemas.js';
import { DecisionPipeline } from '../decisions/pipeline.js';
import { registerJsonParser } from './body-parser.js';
import { ApiError } from './errors.js';
import { installErrorHandlers } from './error-handler.js';
import { registerOpenApi } from './openapi.js';
import { dataRoutes } from './routes/data.js';
import { decisionLogRoutes } from './routes/decision-log.js';
import { decisionRoutes } from './routes/decisions.js';
import { statusRoutes } from './routes/status.js';
import type { AppDeps, HttpOptions } from './types.js';

const packageVersion = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** Builds (does not start) the HTTP app. Call `listen` on the result, or use startServer. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const http: HttpOptions = {
    bodyLimitBytes: deps.http?.bodyLimitBytes ?? DEFAULT_SERVER.body_limit_bytes,
    maxJsonDepth: deps.http?.maxJsonDepth ?? DEFAULT_SERVER.max_json_depth,
    logLevel: deps.http?.logLevel ?? DEFAULT_SERVER.log_level,
    requestLogging: deps.http?.requestLogging ?? DEFAULT_SERVER.request_logging,
  };
  const evaluation = { ...DEFAULT_EVALUATION, ...deps.evaluation };

  const app = Fastify({
    logger: http.logLevel === 'silent' ? false : { level: http.logLevel },
    bodyLimit: http.bodyLimitBytes,
    logController: new LogController({ disableRequestLogging: !http.requestLogging }),
    // Our own 503 below keeps the one error shape during a drain.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
  });

  for (const s of schemas) app.addSchema(s);
  // Validators come from the one ajv instance that compiled schemas/ at load time.
  app.setValidatorCompiler(({ schema }) => {
    const ref = (schema as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && Object.keys(schema).length === 1) return validatorFor(ref.replace(/#$/, ''));
    return ajv.compile(schema);
  });

  installErrorHandlers(app, http.bodyLimitBytes);
  registerJsonParser(app, http.maxJsonDepth);
  registerOpenApi(app, packageVersion);

  // From app.close() on, requests that still arrive on open connections get a clean 503 while
  // in-flight ones drain.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // A callback hook, not an async one: it runs on every request and a promise per request shows.
  app.addHook('onRequest', (_request, reply, done) => {
    if (closing) {
      reply.header('connection', 'close');
      return done(new ApiError(503, 'SHUTTING_DOWN', 'the service is shutting down; retry on another instance'));
    }
    done();
  });

  const pipeline = new DecisionPipeline({
    policies: deps.policies,
    evaluation: { timeoutMs: evaluation.timeout_ms, maxSteps: evaluation.max_steps, maxOutputSize: evaluation.max_output_size },
    ...(deps.cache ? { cache: deps.cache } : {}),
    ...(deps.decisionLogger ? { logger: deps.decisionLogger } : {}),
    ...(deps.tracer ? { tracer: deps.tracer } : {}),
    ...(deps.callerOf ? { callerOf: deps.callerOf } : {}),
  });

  decisionRoutes(app, pipeline);
  dataRoutes(app, pipeline);
  decisionLogRoutes(app, deps.decisionLogReader);
  statusRoutes(app, deps.policies, deps.statusSections ?? {});
  for (const add of deps.extraRoutes ?? []) add(app);

  return app;
}
