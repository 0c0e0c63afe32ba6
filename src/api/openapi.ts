// GET /openapi.json, generated from the same route schemas and schemas/*.json that fastify uses
// for validation and serialization — built once when the app is ready.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { schemas } from '../shared/schemas.js';

type Json = Record<string, unknown>;

interface CollectedRoute {
  method: string;
  url: string;
  schema: Json;
}

const PUBLISHED = new Set([
  'error.json',
  'opa-error.json',
  'decision-document.json',
  'decision-response.json',
  'model-deployment-request.json',
  'tool-call-request.json',
  'data-request.json',
  'batch-data-request.json',
  'data-response.json',
  'status-response.json',
  'health-response.json',
  'decision-record.json',
  'admission-review.json',
  'admission-review-response.json',
]);

export function registerOpenApi(app: FastifyInstance, version: string): void {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (m === 'HEAD') continue;
      routes.push({ method: String(m).toLowerCase(), url: route.url, schema: (route.schema ?? {}) as Json });
    }
  });

  let doc: Json | undefined;
  app.addHook('onReady', async () => {
    doc = build(routes, version);
  });

  app.get('/openapi.json', {
    schema: { summary: 'This API, as OpenAPI 3.1', response: { 200: { type: 'object', additionalProperties: true } } },
    handler: async () => doc ?? build(routes, version),
  });
}

function build(routes: CollectedRoute[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const { path, parameters } = toOpenApiPath(r.url);
    const op: Json = { summary: typeof r.schema.summary === 'string' ? r.schema.summary : `${r.method.toUpperCase()} ${r.url}` };
    const query = r.schema.querystring as Json | undefined;
    const queryParams =
      query && typeof query.properties === 'object' && query.properties !== null
        ? Object.entries(query.properties as Record<string, Json>).map(([name, s]) => ({ name, in: 'query', required: false, schema: rewriteRefs(s) }))
        : [];
    if (parameters.length + queryParams.length > 0) op.parameters = [...parameters, ...queryParams];
    if (r.schema.body)
      op.requestBody = {
        required: r.method === 'post' && (r.url.startsWith('/v1/decisions/') || r.url.startsWith('/access/v1/')),
        content: { 'application/json': { schema: rewriteRefs(r.schema.body) } },
      };
    const responses: Json = {};
    for (const [code, s] of Object.entries((r.schema.response ?? {}) as Record<string, unknown>)) {
      responses[code.toUpperCase()] = { description: describeStatus(code), content: { 'application/json': { schema: rewriteRefs(s) } } };
    }
    op.responses = Object.keys(responses).length > 0 ? responses : { default: { description: 'response' } };
    paths[path] = { ...(paths[path] ?? {}), [r.method]: op };
  }
  const components: Record<string, unknown> = {};
  for (const s of schemas) {
    if (!PUBLISHED.has(s.$id)) continue;
    const { $id: _id, $schema: _schema, ...rest } = s;
    components[componentName(s.$id)] = rewriteRefs(rest, componentName(s.$id));
  }
  return {
    openapi: '3.1.0',
    info: { title: 'AI-governance policy decision point', version },
    paths,
    components: { schemas: components },
  };
}

function toOpenApiPath(url: string): { path: string; parameters: Json[] } {
  const parameters: Json[] = [];
  const path = url
    .split('/')
    .map((seg) => {
      if (seg === '*') {
        parameters.push({
          name: 'path',
          in: 'path',
          required: true,
          description: 'Document path under data, slash-separated (e.g. ai/tools/decision).',
          schema: { type: 'string' },
        });
        return '{path}';
      }
      if (seg.startsWith(':')) {
        parameters.push({ name: seg.slice(1), in: 'path', required: true, schema: { type: 'string' } });
        return `{${seg.slice(1)}}`;
      }
      return seg;
    })
    .join('/');
  return { path, parameters };
}

function componentName(id: string): string {
  return id.replace(/\.json$/, '');
}

/** "x.json#/a" → "#/components/schemas/x/a"; local "#/a" inside component c → "#/components/schemas/c/a". */
function rewriteRefs(value: unknown, self?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, self));
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string') {
      const [file, frag = ''] = v.split('#', 2);
      const target = file ? componentName(file) : self;
      out[k] = `#/components/schemas/${target ?? ''}${frag}`;
    } else {
      out[k] = rewriteRefs(v, self);
    }
  }
  return out;
}

function describeStatus(code: string): string {
  const c = code.toUpperCase();
  if (c === '200') return 'OK';
  if (c === '503') return 'Cannot decide: no active policy';
  if (c === '4XX') return 'Bad request (one error shape)';
  if (c === '5XX') return 'Cannot answer';
  return c;
}
