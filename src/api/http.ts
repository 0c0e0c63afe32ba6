// The HTTP core every route shares: fastify with its limits, the schemas (validation,
// serialization, /openapi.json), the one error shape, the JSON parser and the drain on close.
// The capabilities and routes are registered on it by the composition root (src/server.ts).
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Server as HttpsServer } from 'node:https';
import type { Writable } from 'node:stream';
import type { ServerConfig } from '../config/types.js';
import { packageVersion } from '../shared/package-root.js';
import { ajv, firstErrorValidatorFor, schemas, validatorFor } from '../shared/schemas.js';
import { boundedValidator } from './validator.js';
import { registerJsonParser } from './body-parser.js';
import { registerRequestDecoding } from './request-encoding.js';
import { registerResponseGzip } from './response-gzip.js';
import { installErrorHandlers } from './error-handler.js';
import { makeChildrenLazy } from './lazy-child-logger.js';
import { ApiError } from './errors.js';
import { registerOpenApi } from './openapi.js';
import { buildSerializer } from './serializers.js';
import { DEFAULT_GZIP, DEFAULT_TLS_RELOAD_INTERVAL_MS } from '../config/defaults.js';
import { httpsOptions, watchTlsFiles } from './tls.js';
import { maxConnections, serverTimeoutOptions } from './connections.js';

export function createHttpApp(server: ServerConfig, opts: { logStream?: Writable } = {}): FastifyInstance {
  const tls = server.tls?.cert_file !== undefined ? server.tls : undefined;
  const options = {
    logger: server.log_level === 'silent' ? false : { level: server.log_level, ...(opts.logStream ? { stream: opts.logStream } : {}) },
    bodyLimit: server.body_limit_bytes,
    requestTimeout: server.request_timeout_ms,
    keepAliveTimeout: server.keep_alive_timeout_ms,
    logController: new LogController({ disableRequestLogging: !server.request_logging }),
    // Our own 503 below keeps the one error shape during a drain.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    schemaController: { compilersFactory: { buildSerializer } },
  } satisfies FastifyServerOptions;
  // With TLS fastify runs an https.Server; every route and plugin here is the same either way, so
  // the app keeps the one FastifyInstance type (the cast is only about the raw server's type).
  const timeouts = serverTimeoutOptions(server);
  const app = (tls
    ? Fastify({ ...options, https: { ...httpsOptions(tls), ...timeouts } })
    : Fastify({ ...options, http: timeouts })) as unknown as FastifyInstance;
  app.server.maxConnections = maxConnections(server);
  makeChildrenLazy(app.log);
  if (tls) {
    const interval = tls.reload_interval_ms ?? DEFAULT_TLS_RELOAD_INTERVAL_MS;
    let stop: (() => void) | undefined;
    app.addHook('onReady', async () => {
      if (interval > 0)
        stop = watchTlsFiles(app.server as unknown as HttpsServer, tls, interval, (e) => {
          if (e.reloaded) app.log.info('TLS certificate files changed: reloaded');
          else app.log.warn({ error: e.error }, 'TLS certificate files changed but could not be loaded; still serving the previous ones');
        });
    });
    app.addHook('onClose', async () => stop?.());
  }

  // Every shared schema a route may $ref (each response serializer is handed only those it
  // refers to: src/api/serializers.ts). Not the configuration's: it is not part of the HTTP API (no
  // route takes or answers it), so neither is it one of /openapi.json's schemas.
  for (const s of schemas) if (s.$id !== 'config.json') app.addSchema(s);
  // Validators come from the ajv instances of src/shared/schemas.ts (each compiled on first use).
  app.setValidatorCompiler(({ schema }) => {
    const ref = (schema as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && Object.keys(schema).length === 1) {
      const id = ref.replace(/#$/, '');
      return boundedValidator(firstErrorValidatorFor(id), validatorFor(id), server.max_validation_errors);
    }
    return ajv.compile(schema);
  });

  // gzip responses for clients that accept it (OPA's server.encoding.gzip).
  registerResponseGzip(app, server.gzip ?? DEFAULT_GZIP);
  installErrorHandlers(app, server.body_limit_bytes);
  registerJsonParser(app, server.max_json_depth, server.max_json_nodes, server.body_limit_bytes);
  registerRequestDecoding(app, server.body_limit_bytes);
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
