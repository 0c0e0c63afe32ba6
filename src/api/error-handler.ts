// Every failure leaves as the one error shape with a 4xx (or the rare honest 5xx): fastify's own
// errors, validation failures, unknown routes and wrong methods are all mapped here.
import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, validationDetails } from './errors.js';
import { toOpaBody } from './opa-errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A decision route: every 5xx answer also says allow:false, so a client that reads only
     * `allow` still denies. */
    denyOn5xx?: boolean;
    /** An OPA REST API route: errors leave in OPA's shape ({"code","message","errors"}), not
     * this service's own (src/api/opa-errors.ts). */
    opaErrors?: boolean;
  }
}

export function toApiError(err: unknown, bodyLimit: number): ApiError {
  if (err instanceof ApiError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as Partial<FastifyError> & { validation?: ErrorObject[] };
  if (Array.isArray(e.validation)) {
    const where = e.validationContext && e.validationContext !== 'body' ? ` (${e.validationContext})` : '';
    return new ApiError(400, 'INVALID_REQUEST', `request does not match the schema${where}`, validationDetails(e.validation));
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported Content-Type; send application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(400, 'INVALID_JSON', 'request body is not valid JSON');
    default:
      // zlib's codes (Z_DATA_ERROR, Z_BUF_ERROR…): a gzip request body that does not inflate.
      if (typeof e.code === 'string' && e.code.startsWith('Z_')) return new ApiError(400, 'INVALID_JSON', 'request body is not valid gzip');
      break;
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 404) return new ApiError(404, 'NOT_FOUND', 'not found');
  if (status >= 400 && status < 500) return new ApiError(status, 'BAD_REQUEST', typeof e.message === 'string' ? e.message : 'bad request');
  // Internal details stay in the server log, not in the answer.
  return new ApiError(500, 'INTERNAL_ERROR', 'internal error');
}

/** Statuses given before the body is parsed: authentication/authorization (401, 403, 503),
 * refused OPA writes (405, src/api/opa/refuse-writes.ts) and unsupported media types (415). */
const REFUSED_UNREAD = new Set([401, 403, 405, 415, 503]);

function carriesBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function installErrorHandlers(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err, request, reply) => {
    const api = toApiError(err, bodyLimit);
    if (api.code === 'INTERNAL_ERROR') request.log.error({ err }, 'unhandled error');
    else request.log.debug({ err: api.toBody() }, 'request refused');
    // A body refused before (or while) it was read leaves the request stream unread: don't
    // reuse the socket, rather than read the rest of a body nobody wants (a 401, 405 or 415 is
    // answered before parsing).
    if (api.statusCode === 413 || (REFUSED_UNREAD.has(api.statusCode) && carriesBody(request.headers))) reply.header('connection', 'close');
    if (api.headers) for (const [k, v] of Object.entries(api.headers)) reply.header(k, v);
    reply.code(api.statusCode).type('application/json');
    const config = request.routeOptions.config;
    // A string: the route's response schema for this status (a decision answer) must not reshape it.
    const body = config?.opaErrors
      ? toOpaBody(api)
      : api.statusCode >= 500 && config?.denyOn5xx
        ? JSON.stringify({ allow: false, ...api.toBody() })
        : api.toBody();
    // A route without the gzip hook (src/api/response-gzip.ts) has its errors gzipped here.
    if (config?.gzipInHandler === true && app.responseGzip.accepts(request)) {
      const text = typeof body === 'string' ? body : reply.serialize(body);
      if (typeof text === 'string') return app.responseGzip.send(reply, text);
    }
    return reply.send(body);
  });

  // Routes are collected as they are added; the 404 handler uses them to tell "no such path"
  // (404) from "path exists, other method" (405 with Allow).
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    routes.push({ pattern: patternOf(route.url ?? route.path), methods: methods.map(String) });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '';
    const allowed = new Set<string>();
    for (const r of routes) if (r.pattern.test(path)) for (const m of r.methods) allowed.add(m);
    if (allowed.size > 0) {
      const list = [...allowed].sort().join(', ');
      return reply
        .code(405)
        .header('allow', list)
        .type('application/json')
        .send(new ApiError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; use ${list}`).toBody());
    }
    return reply
      .code(404)
      .type('application/json')
      .send(new ApiError(404, 'NOT_FOUND', `no route ${request.method} ${path}`).toBody());
  });
}

/** fastify route url → anchored regex (":param" = one segment, "*" = the rest). Built once per route. */
function patternOf(url: string): RegExp {
  const body = url
    .split('/')
    .map((seg) => (seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}/?$`);
}
