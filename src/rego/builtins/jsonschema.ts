// json.verify_schema and json.match_schema: JSON Schema drafts 4, 6 and 7 (as OPA supports them
// through gojsonschema), validated by ajv. Errors are reported in gojsonschema's shape and words
// ({error, type, field, desc}), which is what OPA returns. Patterns run on RE2 (re2js), never on
// backtracking RegExp; remote $refs are never fetched (no outside calls).

import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { LRUCache } from 'lru-cache';
import { RE2JS } from 're2js';
import { ObjectV, type Value } from '../value.js';
import { marshalJSON } from './encoding.js';
import type { Builtin, BuiltinContext } from './types.js';
import { def, fail, typeErr } from './util.js';

const draft06 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json') as object;

const PRIMITIVES = ['array', 'boolean', 'integer', 'number', 'null', 'object', 'string'];

/** ajv's `code.regExp` hook: RE2 semantics, linear time (a schema may come from input). */
function re2RegExp(pattern: string): { test(s: string): boolean } {
  const re = RE2JS.compile(pattern);
  return { test: (s: string) => re.matcher(s).find() };
}
re2RegExp.code = 're2RegExp';

const OPTIONS = { allErrors: true, strict: false, logger: false as const, code: { regExp: re2RegExp } };

function makeAjv(draft04: boolean): Ajv {
  // ajv-draft-04's default export is an Ajv subclass with the draft-04 meta-schema.
  const a: Ajv = draft04 ? new (AjvDraft04 as unknown as typeof Ajv)(OPTIONS) : new Ajv(OPTIONS);
  if (!draft04) a.addMetaSchema(draft06);
  // ajv-formats' default export is callable; its typing under NodeNext needs the cast. The
  // "fast" format patterns are simple ones (format regexes are JavaScript RegExp, not RE2).
  (addFormats as unknown as (a: Ajv, o: { mode: string }) => void)(a, { mode: 'fast' });
  return a;
}

let ajv07: Ajv | null = null;
let ajv04: Ajv | null = null;

/** Compiled validators by schema text; a policy usually checks against a handful of schemas. */
const MAX_CACHED_SCHEMA = 64 * 1024;
const compiled = new LRUCache<string, ValidateFunction | Error>({ max: 64 });

/** OPA's astValueToJSONSchemaLoader: a string must hold valid JSON, an object is marshalled. */
function loadJSON(v: Value, ctx: BuiltinContext): { text: string; json: unknown } {
  let text: string;
  if (typeof v === 'string') text = v;
  else if (v instanceof ObjectV) text = marshalJSON(v);
  else throw new Error('wrong type, expected string or object');
  ctx.checkBudget(1 + Math.ceil(text.length / 32));
  try {
    return { text, json: JSON.parse(text) };
  } catch {
    throw new Error('invalid JSON string');
  }
}

/** gojsonschema's message for a `type` that is not one of the seven JSON Schema types. */
function badPrimitive(schema: unknown, depth = 0): string | null {
  if (depth > 200 || schema === null || typeof schema !== 'object') return null;
  if (Array.isArray(schema)) {
    for (const s of schema) {
      const m = badPrimitive(s, depth + 1);
      if (m) return m;
    }
    return null;
  }
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'type' && (typeof v === 'string' || Array.isArray(v))) {
      for (const t of typeof v === 'string' ? [v] : v) {
        if (typeof t === 'string' && !PRIMITIVES.includes(t)) {
          return `has a primitive type that is NOT VALID -- given: /${t}/ Expected valid values are:[${PRIMITIVES.join(' ')}]`;
        }
      }
    } else if (k !== 'enum' && k !== 'const' && k !== 'default' && k !== 'examples') {
      const m = badPrimitive(v, depth + 1);
      if (m) return m;
    }
  }
  return null;
}

function compileSchema(text: string, schema: unknown): ValidateFunction {
  const hit = compiled.get(text);
  if (hit instanceof Error) throw hit;
  if (hit) return hit;
  let out: ValidateFunction | Error;
  const bad = badPrimitive(schema);
  if (bad) out = new Error(bad);
  else if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    out = typeof schema === 'boolean' ? compileWith(false, schema) : new Error('schema must be an object');
  } else {
    const s = (schema as { $schema?: unknown }).$schema;
    out = compileWith(typeof s === 'string' && s.includes('draft-04'), schema);
  }
  // A very large schema is compiled for this call only, so the cache cannot hold much memory.
  if (text.length <= MAX_CACHED_SCHEMA) compiled.set(text, out);
  if (out instanceof Error) throw out;
  return out;
}

function compileWith(draft04: boolean, schema: object | boolean): ValidateFunction | Error {
  const a = draft04 ? (ajv04 ??= makeAjv(true)) : (ajv07 ??= makeAjv(false));
  try {
    const fn = a.compile(schema);
    // Keep ajv's own cache empty: the LRU above is the only place compiled schemas live.
    if (typeof schema === 'object') a.removeSchema(schema);
    return fn;
  } catch (e) {
    if (typeof schema === 'object') a.removeSchema(schema);
    return e instanceof Error ? new Error(e.message) : new Error(String(e));
  }
}

/** "/a/0/b" → "a.0.b"; the root is "(root)" (gojsonschema's context names). */
function fieldOf(pointer: string, extra?: string): string {
  const parts =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.length ? parts.join('.') : '(root)';
}

function goTypeOf(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'array';
  if (typeof x === 'number') return Number.isInteger(x) ? 'integer' : 'number';
  return typeof x;
}

function quoted(xs: unknown[]): string {
  return xs.map((x) => JSON.stringify(x)).join(', ');
}

/** One ajv error in gojsonschema's terms: [type, description, field]. */
function describe(e: ErrorObject, data: unknown): [string, string, string] {
  const p = e.params as Record<string, unknown>;
  const field = fieldOf(e.instancePath);
  switch (e.keyword) {
    case 'type': {
      const want = Array.isArray(p.type) ? `[${(p.type as string[]).join(',')}]` : String(p.type);
      return ['invalid_type', `Invalid type. Expected: ${want}, given: ${goTypeOf(valueAt(data, e.instancePath))}`, field];
    }
    case 'required':
      return ['required', `${String(p.missingProperty)} is required`, field];
    case 'additionalProperties':
      return ['additional_property_not_allowed', `Additional property ${String(p.additionalProperty)} is not allowed`, field];
    case 'enum':
      return ['enum', `${field} must be one of the following: ${quoted(p.allowedValues as unknown[])}`, field];
    case 'const':
      return ['const', `${field} does not match: ${JSON.stringify(p.allowedValue)}`, field];
    case 'minLength':
      return ['string_gte', `String length must be greater than or equal to ${String(p.limit)}`, field];
    case 'maxLength':
      return ['string_lte', `String length must be less than or equal to ${String(p.limit)}`, field];
    case 'pattern':
      return ['pattern', `Does not match pattern '${String(p.pattern)}'`, field];
    case 'format':
      return ['format', `Does not match format '${String(p.format)}'`, field];
    case 'minimum':
    case 'exclusiveMinimum':
      return p.comparison === '>'
        ? ['number_gt', `Must be greater than ${String(p.limit)}`, field]
        : ['number_gte', `Must be greater than or equal to ${String(p.limit)}`, field];
    case 'maximum':
    case 'exclusiveMaximum':
      return p.comparison === '<'
        ? ['number_lt', `Must be less than ${String(p.limit)}`, field]
        : ['number_lte', `Must be less than or equal to ${String(p.limit)}`, field];
    case 'multipleOf':
      return ['multiple_of', `Must be a multiple of ${String(p.multipleOf)}`, field];
    case 'minItems':
      return ['array_min_items', `Array must have at least ${String(p.limit)} items`, field];
    case 'maxItems':
      return ['array_max_items', `Array must have at most ${String(p.limit)} items`, field];
    case 'uniqueItems':
      return ['unique', `array items[${String(p.j)},${String(p.i)}] must be unique`, field];
    case 'minProperties':
      return ['array_min_properties', `Must have at least ${String(p.limit)} properties`, field];
    case 'maxProperties':
      return ['array_max_properties', `Must have at most ${String(p.limit)} properties`, field];
    case 'anyOf':
      return ['number_any_of', 'Must validate at least one schema (anyOf)', field];
    case 'oneOf':
      return ['number_one_of', 'Must validate one and only one schema (oneOf)', field];
    case 'not':
      return ['number_not', 'Must not validate the schema (not)', field];
    case 'dependencies':
    case 'dependentRequired':
      return ['missing_dependency', `Has a dependency on ${String(p.missingProperty)}`, field];
    case 'contains':
      return ['contains', 'At least one of the items must match', field];
    case 'additionalItems':
      return ['array_no_additional_items', 'No additional items allowed on array', field];
    case 'propertyNames':
      return ['invalid_property_name', `Property name of "${String(p.propertyName)}" does not match`, field];
    case 'if':
      return p.failingKeyword === 'else'
        ? ['condition_else', 'Must validate "else" as "if" was not valid', field]
        : ['condition_then', 'Must validate "then" as "if" was valid', field];
    default:
      return [e.keyword, e.message ?? e.keyword, field];
  }
}

function valueAt(data: unknown, pointer: string): unknown {
  if (pointer === '') return data;
  let cur = data;
  for (const raw of pointer.slice(1).split('/')) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/**
 * Errors of branches under anyOf/oneOf/not and of an `if` condition are not reported on their
 * own: gojsonschema reports the combinator's error (ajv, with allErrors, reports both). A failed
 * then/else is reported as the condition error followed by the branch's errors, in that order.
 */
function underCombinator(e: ErrorObject): boolean {
  return /\/(anyOf|oneOf|not|if)\//.test(e.schemaPath);
}

function matchErrors(errors: ErrorObject[], data: unknown): Value[] {
  const rows: { path: string; v: Value }[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (underCombinator(e)) continue;
    const [type, desc, field] = describe(e, data);
    const key = `${type}\u0000${field}\u0000${desc}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const v = new ObjectV([
      ['error', `${field}: ${desc}`],
      ['type', type],
      ['field', field],
      ['desc', desc],
    ]);
    let at = rows.length;
    if (e.keyword === 'if') {
      const branch = e.schemaPath.slice(0, -'if'.length) + String((e.params as { failingKeyword?: unknown }).failingKeyword) + '/';
      const first = rows.findIndex((r) => r.path.startsWith(branch));
      if (first >= 0) at = first;
    }
    rows.splice(at, 0, { path: e.schemaPath, v });
  }
  return rows.map((r) => r.v);
}

function schemaArg(v: Value, pos: number): Value {
  if (typeof v !== 'string' && !(v instanceof ObjectV)) throw typeErr(pos, v, 'string', 'object');
  return v;
}

export const jsonschema: Builtin[] = [
  def('json.verify_schema', ['string|object'], ([s], ctx) => {
    schemaArg(s, 1);
    try {
      const { text, json } = loadJSON(s, ctx);
      compileSchema(text, json);
      return [true, null];
    } catch (e) {
      if (!(e instanceof Error) || e.constructor !== Error) throw e;
      return [false, `jsonschema: ${e.message}`];
    }
  }),

  def('json.match_schema', ['string|object', 'string|object'], ([doc, s], ctx) => {
    schemaArg(doc, 1);
    schemaArg(s, 2);
    let validate: ValidateFunction;
    let data: unknown;
    try {
      data = loadJSON(doc, ctx).json;
      const { text, json } = loadJSON(s, ctx);
      validate = compileSchema(text, json);
    } catch (e) {
      if (!(e instanceof Error) || e.constructor !== Error) throw e;
      throw fail(e.message);
    }
    if (validate(data)) return [true, []];
    return [false, matchErrors(validate.errors ?? [], data)];
  }),
];
