// The JSON Schemas in schemas/ are the single source for request validation, response
// serialization, the decision-document check, config validation and /openapi.json.
// They are read when this module loads; each validator is compiled once, when first asked for
// (at startup, by the modules that validate with it) — never per request. Compiling all of them in
// both variants up front cost ~0.4 s in every process, the cluster primary's included, which
// validates only the configuration (test/shared/schemas.test.ts compiles every one).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { schemasDir } from './package-root.js';

export type JsonSchema = Record<string, unknown> & { $id: string };

function readSchemas(): JsonSchema[] {
  return readdirSync(schemasDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed = JSON.parse(readFileSync(join(schemasDir, f), 'utf8')) as Record<string, unknown>;
      if (parsed.$id !== f) throw new Error(`schemas/${f}: $id must be "${f}" (got ${JSON.stringify(parsed.$id)})`);
      return parsed as JsonSchema;
    });
}

export const schemas: readonly JsonSchema[] = readSchemas();

// allErrors: report every bad field at once (config files, decision documents). Request bodies
// are checked first by a validator that stops at the first error (src/api/validator.ts).
// No coercion, no defaults, no removal: what the caller sent is what the policy sees.
const AJV_OPTIONS = { strict: true, allowUnionTypes: true, coerceTypes: false, useDefaults: false } as const;
export const ajv = new Ajv({ ...AJV_OPTIONS, allErrors: true });
const firstErrorAjv = new Ajv({ ...AJV_OPTIONS, allErrors: false });
// Added, not compiled: a schema's $refs to the others resolve when it is compiled.
for (const s of schemas) {
  ajv.addSchema(s);
  firstErrorAjv.addSchema(s);
}

const compiled = new Map<string, ValidateFunction>();
const compiledFirstError = new Map<string, ValidateFunction>();

function compiledFrom(instance: Ajv, memo: Map<string, ValidateFunction>, id: string): ValidateFunction {
  let fn = memo.get(id);
  if (fn) return fn;
  // Only the ids of schemas/ (getSchema would also take a path into one, or a $ref).
  if (!schemas.some((s) => s.$id === id)) throw new Error(`unknown schema ${id}`);
  fn = instance.getSchema(id);
  if (!fn) throw new Error(`schema ${id} did not compile`);
  memo.set(id, fn);
  return fn;
}

/** Reports every error. */
export function validatorFor(id: string): ValidateFunction {
  return compiledFrom(ajv, compiled, id);
}

/** Stops at the first error: cost bounded by the data up to it. */
export function firstErrorValidatorFor(id: string): ValidateFunction {
  return compiledFrom(firstErrorAjv, compiledFirstError, id);
}
