// The HTTP core every route shares: fastify with its limits, the schemas (validation,
// serialization, /openapi.json), the one error shape, the JSON parser and the drain on close.
// The capabilities and routes are registered on it by the composition root (src/server.ts).
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config/types.js';
import { packageVersion } from '../shared/package-root.js';
import { ajv, schemas, validatorFor } from '../shared/schemas.js';
import { registerJsonParser } from './body-parser.js';
import { installErrorHandlers } from './error-handler.js';
import { ApiError } from './errors.js';
import { registerOpenApi } from './openapi.js';

export function createHttpApp(server: ServerConfig): FastifyInstance {
  const app = Fastify({
    logger: server.log_level === 'silent' ? false : { level: server.log_level },
    bodyLimit: server.body_limit_bytes,
    logController: new LogController({ disableRequestLogging: !server.request_logging }),
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

  installErrorHandlers(app, server.body_limit_bytes);
  registerJsonParser(app, server.max_json_depth);
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

  return app;
}
