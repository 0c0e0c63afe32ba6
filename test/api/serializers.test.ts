// Response serializers get only the shared schemas their schema refers to (src/api/serializers.ts):
// the closure must be complete (a missing schema fails the route's build at start), and every
// real response schema must serialize as it did with all of them.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import fastJsonStringify, { type Schema } from 'fast-json-stringify';
import { buildSerializer, referencedSchemas } from '../../src/api/serializers.js';
import { schemas } from '../../src/shared/schemas.js';

const inner = { $id: 'inner.json', type: 'object', properties: { n: { type: 'integer' } } };
const outer = {
  $id: 'outer.json',
  type: 'object',
  properties: { inner: { $ref: 'inner.json#' }, list: { type: 'array', items: { $ref: 'inner.json#/properties/n' } } },
};
const loop = { $id: 'loop.json', type: 'object', properties: { next: { $ref: 'loop.json#' }, back: { $ref: 'outer.json' } } };
const unrelated = { $id: 'unrelated.json', type: 'string' };
const shared = { 'inner.json': inner, 'outer.json': outer, 'loop.json': loop, 'unrelated.json': unrelated };

t.test('the referenced schemas: through other schemas, each once, local and unknown refs aside', async (t) => {
  t.same(Object.keys(referencedSchemas({ $ref: 'outer.json#' }, shared)).sort(), ['inner.json', 'outer.json']);
  t.same(
    Object.keys(referencedSchemas({ type: 'array', items: { $ref: 'loop.json#' } }, shared)).sort(),
    ['inner.json', 'loop.json', 'outer.json'],
    'a cycle ends',
  );
  t.same(
    referencedSchemas({ type: 'object', properties: { a: { $ref: '#/definitions/a' } }, definitions: { a: { type: 'string' } } }, shared),
    {},
    'a local ref names no shared schema',
  );
  t.same(referencedSchemas({ $ref: 'missing.json#' }, shared), {}, 'an unknown id is left to the build to report');
  t.same(referencedSchemas({ type: 'string', enum: ['$ref'] }, shared), {}, "a '$ref' string that is not a keyword");
});

t.test('a serializer built from the referenced schemas writes what the schemas say', async (t) => {
  const serialize = buildSerializer(shared)({ schema: { $ref: 'outer.json#' } });
  t.equal(serialize({ inner: { n: 3, secret: 'dropped' }, list: [1, 2], extra: true }), '{"inner":{"n":3},"list":[1,2]}');
  t.throws(() => buildSerializer(shared)({ schema: { $ref: 'missing.json#' } }), 'a schema that is not there still fails the build');
});

t.test("every shared schema's serializer writes what one handed every shared schema writes", async (t) => {
  const all = Object.fromEntries(schemas.map((s) => [s.$id, s]));
  const outcome = (serialize: (doc: unknown) => string, doc: unknown): string => {
    try {
      return serialize(doc);
    } catch (e) {
      return `threw: ${(e as Error).message}`;
    }
  };
  const examples = (kind: string): unknown[] =>
    readdirSync(`examples/${kind}`)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(`examples/${kind}/${f}`, 'utf8')) as unknown);
  const answer = {
    decision_id: 'd-1',
    allow: false,
    reasons: [{ code: 'r', message: 'm', extra: 1 }],
    obligations: [],
    exceptions_applied: [],
    policy: { path: 'ai/tools/decision', bundles: { main: 'r1' } },
    cached: false,
    trace_id: 't',
  };
  const samples: unknown[] = [
    {},
    { error: { code: 'BAD_INPUT', message: 'no', details: [{ path: '/a', message: 'x' }] }, allow: false, extra: 1 },
    answer,
    { ...answer, allow: true, reasons: [], trace_id: undefined },
    { code: 'BAD_INPUT', message: 'no' },
    ...examples('tool-call'),
    ...examples('model-deployment'),
  ];
  let written = 0;
  t.ok(schemas.length >= 10);
  for (const s of schemas) {
    if (s.$id === 'config.json') continue;
    const schema = { $ref: `${s.$id}#` };
    const mine = buildSerializer(all)({ schema });
    // What fastify's default compiler did: every shared schema handed to the build.
    const theirs = fastJsonStringify(schema, { schema: all as unknown as Record<string, Schema> });
    for (const doc of samples) {
      const text = outcome(mine, doc);
      if (text !== outcome(theirs, doc)) t.fail(`${s.$id}: ${text.slice(0, 200)}`);
      if (!text.startsWith('threw')) written++;
    }
  }
  // Each kind of answer and request above is written by its schema's serializer, not refused.
  t.ok(written >= 40, `${written} documents written alike`);
});
