// /openapi.json is generated from the same schemas fastify validates with; every $ref resolves.
import t from 'tap';
import { inject, injectApp } from '../helpers/http.js';
import { SwappablePolicies } from '../helpers/js-engine.js';

const app = await injectApp({ policies: new SwappablePolicies() });
t.teardown(() => app.close());
const doc = (await inject(app, '/openapi.json')).json as {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
};

t.test("lists every route with its method (the plugins' routes too)", async (t) => {
  t.equal(doc.openapi, '3.1.0');
  const ops = Object.entries(doc.paths)
    .flatMap(([p, m]) => Object.keys(m).map((k) => `${k.toUpperCase()} ${p}`))
    .sort();
  t.same(ops, [
    'DELETE /v1/data',
    'DELETE /v1/data/{path}',
    'DELETE /v1/policies/{path}',
    'GET /.well-known/authzen-configuration',
    'GET /health',
    'GET /health/{path}',
    'GET /metrics',
    'GET /openapi.json',
    'GET /ready',
    'GET /v1/config',
    'GET /v1/data',
    'GET /v1/data/{path}',
    'GET /v1/decisions/{id}',
    'GET /v1/pdp/config',
    'GET /v1/pdp/status',
    'GET /v1/policies',
    'GET /v1/policies/{path}',
    'GET /v1/query',
    'GET /v1/status',
    'PATCH /v1/data',
    'PATCH /v1/data/{path}',
    'POST /',
    'POST /access/v1/evaluation',
    'POST /access/v1/evaluations',
    'POST /access/v1/search/action',
    'POST /access/v1/search/resource',
    'POST /access/v1/search/subject',
    'POST /v0/data/{path}',
    'POST /v1/admission/model-deployment',
    'POST /v1/batch/data',
    'POST /v1/batch/data/{path}',
    'POST /v1/data',
    'POST /v1/data/{path}',
    'POST /v1/decisions/model-deployment',
    'POST /v1/decisions/tool-call',
    'POST /v1/query',
    'PUT /v1/data',
    'PUT /v1/data/{path}',
    'PUT /v1/policies/{path}',
  ]);
});

t.test('request bodies and responses point at the published schemas', async (t) => {
  const tool = doc.paths['/v1/decisions/tool-call']?.post;
  t.match(tool?.requestBody, { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/tool-call-request' } } } });
  t.match(tool?.responses['200'], { content: { 'application/json': { schema: { $ref: '#/components/schemas/decision-response' } } } });
  t.match(tool?.responses['4XX'], { content: { 'application/json': { schema: { $ref: '#/components/schemas/error' } } } });
  t.match(doc.components.schemas['tool-call-request'], { required: ['agent', 'tool'] });
});

t.test("the AuthZEN routes carry the specification's request schemas", async (t) => {
  const evaluation = doc.paths['/access/v1/evaluation']?.post;
  t.match(evaluation?.requestBody, {
    required: true,
    content: { 'application/json': { schema: { title: 'Access Evaluation API Request', required: ['subject', 'resource', 'action'] } } },
  });
  t.match(evaluation?.responses['200'], { content: { 'application/json': { schema: { required: ['decision'] } } } });
  t.match(doc.paths['/access/v1/search/action']?.post?.requestBody, { content: { 'application/json': { schema: { required: ['subject', 'resource'] } } } });
});

t.test('every $ref in the document resolves inside it', async (t) => {
  const refs: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') refs.push(x);
        else walk(x);
      }
    }
  };
  walk(doc);
  t.ok(refs.length > 10, `found ${refs.length} refs`);
  for (const ref of new Set(refs)) {
    t.match(ref, /^#\//, ref);
    let cur: unknown = doc;
    for (const seg of ref.slice(2).split('/')) cur = (cur as Record<string, unknown> | undefined)?.[seg];
    t.ok(cur && typeof cur === 'object', `${ref} resolves`);
  }
});
