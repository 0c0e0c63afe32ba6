// The request bodies in examples/<kind>/ (tool-call, model-deployment, …), in file-name order:
// what the benchmarks send or evaluate.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Each body's JSON text: as written (indented), or `compact` (one line, as JSON.stringify
 * writes it — what ../shared/bench-peer sends). */
export function exampleTexts(kind, bodies = 'as-written') {
  if (bodies !== 'as-written' && bodies !== 'compact') throw new Error(`--bodies must be as-written or compact, not ${bodies}`);
  const dir = join(ROOT, 'examples', kind);
  const texts = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  return bodies === 'compact' ? texts.map((t) => JSON.stringify(JSON.parse(t))) : texts;
}

/** Each body, parsed. */
export function exampleBodies(kind) {
  return exampleTexts(kind).map((t) => JSON.parse(t));
}
