// The request bodies in examples/<kind>/ (tool-call, model-deployment, …), in file-name order:
// what the benchmarks send or evaluate.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Each body's JSON text. */
export function exampleTexts(kind) {
  const dir = join(ROOT, 'examples', kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** Each body, parsed. */
export function exampleBodies(kind) {
  return exampleTexts(kind).map((t) => JSON.parse(t));
}
