// The JSON Schemas in schemas/ are the single source for request validation, response
// serialization, the decision-document check, config validation and /openapi.json.
// They are read and compiled once, when this module loads — never per request.
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

function compileAll(instance: Ajv): Map<string, ValidateFunction> {
  for (const s of schemas) instance.addSchema(s);
  const compiled = new Map<string, ValidateFunction>();
  for (const s of schemas) {
    const fn = instance.getSchema(s.$id);
    if (!fn) throw new Error(`schema ${s.$id} did not compile`);
    compiled.set(s.$id, fn);
  }
  return compiled;
}

const compiled = compileAll(ajv);
const compiledFirstError = compileAll(firstErrorAjv);

/** Reports every error. */
export function validatorFor(id: string): ValidateFunction {
  const fn = compiled.get(id);
  if (!fn) throw new Error(`unknown schema ${id}`);
  return fn;
}

/** Stops at the first error: cost bounded by the data up to it. */
export function firstErrorValidatorFor(id: string): ValidateFunction {
  const fn = compiledFirstError.get(id);
  if (!fn) throw new Error(`unknown schema ${id}`);
  return fn;
}
