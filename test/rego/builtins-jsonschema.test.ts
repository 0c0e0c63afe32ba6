// json.verify_schema and json.match_schema (issue 14: both were "undefined function"), checked
// against OPA's documented behaviour and its conformance cases (opa-v1/jsonschema): results in
// gojsonschema's error shape {error, type, field, desc}, drafts 4/6/7, schema errors, hostile
// schemas (backtracking patterns run on RE2; remote $refs are never fetched).
import t from 'tap';
import { compile, toJSON } from '../../src/rego/index.js';
import { fromJSON } from '../../src/rego/value.js';
import { call, err, show } from '../helpers/builtin-harness.js';

const J = (x: unknown) => fromJSON(x);
const row = (field: string, type: string, desc: string) => ({ desc, error: `${field}: ${desc}`, field, type });

t.test('through the engine: the issue-14 call compiles and answers as OPA', async (t) => {
  const p = compile([
    {
      file: 'x.rego',
      source: `package p
schema := {"properties": {"id": {"type": "integer"}}, "required": ["id"]}
ok := json.match_schema({"id": 5}, schema)
bad := json.match_schema({"id": "foo"}, schema)
verified := json.verify_schema(schema)
`,
    },
  ]);
  t.same(toJSON(p.evaluate('p.ok').value!), [true, []]);
  t.same(toJSON(p.evaluate('p.bad').value!), [false, [row('id', 'invalid_type', 'Invalid type. Expected: integer, given: string')]]);
  t.same(toJSON(p.evaluate('p.verified').value!), [true, null]);
});

t.test('match_schema: documents and schemas as objects or JSON strings', async (t) => {
  const schema = J({ properties: { id: { type: 'integer' } }, required: ['id'] });
  t.equal(show(call('json.match_schema', '{"id": 5}', schema)), '[true,[]]');
  t.equal(show(call('json.match_schema', J({ id: 5 }), '{"properties": {"id": {"type": "integer"}}}')), '[true,[]]');
});

t.test('match_schema: error rows in gojsonschema words', async (t) => {
  const r = toJSON(
    call('json.match_schema', J({ a: 1, extra: true }), J({ required: ['id'], additionalProperties: false, properties: { a: { type: 'string' } } }))!,
  );
  t.same(r, [
    false,
    [
      row('(root)', 'required', 'id is required'),
      row('(root)', 'additional_property_not_allowed', 'Additional property extra is not allowed'),
      row('a', 'invalid_type', 'Invalid type. Expected: string, given: integer'),
    ],
  ]);
  const nested = toJSON(call('json.match_schema', J({ a: [1, 5] }), J({ properties: { a: { items: { minimum: 2 } } } }))!);
  t.same(nested, [false, [row('a.0', 'number_gte', 'Must be greater than or equal to 2')]], 'array elements by index');
  const any = toJSON(call('json.match_schema', J({ a: 5 }), J({ properties: { a: { anyOf: [{ type: 'string' }, { type: 'boolean' }] } } }))!);
  t.same(any, [false, [row('a', 'number_any_of', 'Must validate at least one schema (anyOf)')]], 'the combinator, not each branch');
  const fmt = toJSON(call('json.match_schema', J({ a: 'x' }), J({ properties: { a: { format: 'email' } } }))!);
  t.same(fmt, [false, [row('a', 'format', "Does not match format 'email'")]], 'formats are checked');
  const en = toJSON(call('json.match_schema', J({ a: 'z' }), J({ properties: { a: { enum: ['x', 1] } } }))!);
  t.same(en, [false, [row('a', 'enum', 'a must be one of the following: "x", 1')]]);
});

t.test('drafts 4, 6 and 7', async (t) => {
  const d4 = J({ $schema: 'http://json-schema.org/draft-04/schema#', properties: { n: { minimum: 5, exclusiveMinimum: true } } });
  t.same(toJSON(call('json.match_schema', J({ n: 5 }), d4)!), [false, [row('n', 'number_gt', 'Must be greater than 5')]], 'draft-04 boolean exclusiveMinimum');
  const d6 = J({ $schema: 'http://json-schema.org/draft-06/schema#', properties: { n: { exclusiveMinimum: 5 } } });
  t.same(toJSON(call('json.match_schema', J({ n: 5 }), d6)!), [false, [row('n', 'number_gt', 'Must be greater than 5')]], 'draft-06 numeric exclusiveMinimum');
  const d7 = J({ $schema: 'http://json-schema.org/draft-07/schema#', if: { required: ['a'] }, then: { required: ['b'] } });
  t.same(toJSON(call('json.match_schema', J({ a: 1 }), d7)!), [
    false,
    [row('(root)', 'condition_then', 'Must validate "then" as "if" was valid'), row('(root)', 'required', 'b is required')],
  ]);
});

t.test('invalid schemas and documents', async (t) => {
  const bad = 'has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]';
  t.same(toJSON(call('json.verify_schema', J({ type: 'unknown' }))!), [false, `jsonschema: ${bad}`]);
  t.same(toJSON(call('json.verify_schema', '{"type": "unknown"}')!), [false, `jsonschema: ${bad}`]);
  t.same(toJSON(call('json.verify_schema', '{')!), [false, 'jsonschema: invalid JSON string']);
  const e = err('json.match_schema', J({ id: 'foo' }), J({ properties: { id: { type: 'unknown' } } }));
  t.equal(e.code, 'eval_builtin_error');
  t.equal(e.detail, `json.match_schema: ${bad}`);
  t.equal(err('json.match_schema', '{', J({})).detail, 'json.match_schema: invalid JSON string');
  t.equal(err('json.match_schema', 5, J({})).detail, 'json.match_schema: operand 1 must be one of {string, object} but got number');
  t.equal(err('json.verify_schema', 5).detail, 'json.verify_schema: operand 1 must be one of {string, object} but got number');
});

t.test('hostile schemas: no backtracking, no fetching', async (t) => {
  // (a+)+$ on a long non-matching string takes exponential time with a backtracking engine.
  const r = call('json.match_schema', J({ a: 'a'.repeat(5000) + '!' }), J({ properties: { a: { pattern: '^(a+)+$' } } }));
  t.equal(show(r), `[false,[${JSON.stringify(row('a', 'pattern', "Does not match pattern '^(a+)+$'"))}]]`);
  const e = err('json.match_schema', J({}), J({ $ref: 'http://127.0.0.1:1/schema.json' }));
  t.match(e.detail, /can't resolve reference http:\/\/127\.0\.0\.1:1\/schema\.json/, 'a remote $ref is an error, not a request');
});

t.test('hostile sizes: a deeply nested schema or document is an answer or a builtin error, never a crash', async (t) => {
  let schema = '{"type": "object"}';
  for (let i = 0; i < 3000; i++) schema = `{"properties": {"a": ${schema}}}`;
  let doc = '1';
  for (let i = 0; i < 3000; i++) doc = `{"a": ${doc}}`;
  for (const run of [() => call('json.match_schema', doc, schema), () => call('json.verify_schema', schema)]) {
    try {
      const r = run();
      t.ok(Array.isArray(r), 'an answer');
    } catch (e) {
      t.match((e as Error).message, /json\.(match|verify)_schema|budget|depth|stack/i, 'a typed failure');
    }
  }
});
