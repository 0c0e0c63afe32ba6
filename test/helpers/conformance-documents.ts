// OPA's conformance cases whose query reads one document (`data.a.b = x`), compiled: what the
// compiled targets (wasm modules, generated JavaScript) are checked against.
import { loadFolder } from '../../src/conformance/load.js';
import { normalizeFile } from '../../src/conformance/normalize.js';
import { moduleFile } from '../../src/conformance/run.js';
import type { ConformanceCase } from '../../src/conformance/types.js';
import { compile, type CompiledPolicy } from '../../src/rego/index.js';

export interface DocumentCase {
  c: ConformanceCase;
  /** The document's path, dotted (`a.b`). */
  path: string;
  /** The query's variable (`x`). */
  variable: string;
  /** The case's one JSON input, if any. */
  input: unknown;
  policy: CompiledPolicy;
}

/** A case's modules and data compiled, or undefined when they do not compile. */
export function compileCase(c: ConformanceCase): CompiledPolicy | undefined {
  try {
    return compile(
      c.modules.map((source, i) => ({ file: moduleFile(c, i), source })),
      c.data ?? {},
      { regoVersion: c.regoVersion },
    );
  } catch {
    return undefined;
  }
}

/** Every case in `dir` (OPA's layout) that reads one document with at most one JSON input and
 * compiles (a compile error is the case's expectation: nothing to run). */
export async function* documentCases(dir: string): AsyncGenerator<DocumentCase> {
  const loaded = await loadFolder(dir);
  for (const f of loaded.files) {
    for (const n of normalizeFile(f, 'opa')) {
      if (!n.ok || n.case.skip) continue;
      const c = n.case;
      const m = /^\s*data\.([A-Za-z_][\w.]*)\s*=\s*([A-Za-z_]\w*)\s*$/.exec(c.query);
      const input = c.inputs[0];
      // `data.x.p = input` compares with the input: not a query for one document's value
      if (!m || m[2] === 'input' || m[2] === 'data' || c.inputs.length > 1 || (input !== undefined && input.kind !== 'json')) continue;
      const policy = compileCase(c);
      if (policy === undefined) continue;
      yield { c, path: m[1] as string, variable: m[2] as string, input: input?.value, policy };
    }
  }
}
