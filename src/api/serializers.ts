// Response serializers: fast-json-stringify, as fastify's default compiler uses it, but each build
// given only the shared schemas its response schema refers to (directly or through them).
// fast-json-stringify checks every schema it is handed (isValidSchema, an ajv validation) on every
// build: fastify's default hands each build all the app's shared schemas, which made the start
// pay for routes × shared schemas of checks, the most of it for schemas the route never uses.
import fastJsonStringify, { type Options, type Schema } from 'fast-json-stringify';

type Shared = Record<string, unknown>;

/** The ids a schema's `$ref`s name (the part before '#'; a local '#/…' names none). */
function refIds(node: unknown, out: Set<string>): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const x of node) refIds(x, out);
    return;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      const id = v.split('#')[0] as string;
      if (id !== '') out.add(id);
    } else refIds(v, out);
  }
}

/** The shared schemas `schema` refers to, and those they refer to, by id. */
export function referencedSchemas(schema: unknown, shared: Shared): Shared {
  const picked: Shared = {};
  const pending = new Set<string>();
  refIds(schema, pending);
  for (const id of pending) {
    // A Set iterates what is added while iterating: the closure.
    if (id in picked || !Object.hasOwn(shared, id)) continue;
    picked[id] = shared[id];
    refIds(shared[id], pending);
  }
  return picked;
}

/** For fastify's `schemaController.compilersFactory.buildSerializer`. */
export function buildSerializer(externalSchemas?: unknown, options?: Options): (route: { schema?: unknown }) => (doc: unknown) => string {
  const shared = (typeof externalSchemas === 'object' && externalSchemas !== null ? externalSchemas : {}) as Shared;
  return ({ schema }) => fastJsonStringify(schema as Schema, { ...options, schema: referencedSchemas(schema, shared) as Record<string, Schema> });
}
