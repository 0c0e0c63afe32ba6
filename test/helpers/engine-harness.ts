// Shared helpers for the engine tests: compile a snippet, run table cases.
import type { Test } from 'tap';
import { compile, toJSON, type CompiledPolicy } from '../../src/rego/index.js';

/** `package t` + src, compiled as x.rego. */
export const pol = (src: string, data?: unknown): CompiledPolicy => compile([{ file: 'x.rego', source: `package t\n${src}` }], data);

export type Case = [name: string, path: string | string[], input: unknown, expected: unknown];

/** Runs table cases against one policy; `undefined` in `expected` means the document is undefined. */
export function table(tt: Test, p: CompiledPolicy, cases: Case[]): void {
  for (const [name, path, input, expected] of cases) {
    const r = p.evaluate(path, input === undefined ? {} : { input });
    if (expected === undefined) tt.equal(r.defined, false, `${name}: undefined`);
    else {
      tt.equal(r.defined, true, `${name}: defined`);
      tt.strictSame(r.defined ? toJSON(r.value!) : undefined, expected, `${name}: value`);
    }
  }
}
