// Is the active bundle's mask policy the default bundle's mask program, which default-mask.ts
// implements natively? Decided once per policy snapshot, failing towards the Rego:
//  1. the policy's modules: one module in package system.log, none in system.log or system
//     besides it (below it, none can define one of its rules: the compiler refuses that), and
//     its AST — with the values of the three field lists left out — is the program
//     default-mask.ts implements (a pinned digest; test/decisionlog/default-mask.test.ts fails
//     when policies/system/log/mask.rego changes beyond its lists);
//  2. the lists are what the bundle's Rego evaluates them to (base data can shadow a rule);
//  3. on probe records that exercise every listed field (right and wrong types, every path
//     family, results), the native rules equal the Rego mask's, byte for byte.
// Anything else — another mask, a wasm bundle, an edited program, a mismatch — keeps the Rego.
import { createHash } from 'node:crypto';
import type { ActivePolicySet } from '../../bundles/types.js';
import { splitQueryPath } from '../../engines/path.js';
import type { PolicyModule } from '../../engines/types.js';
import { defaultMaskRules, type DefaultMaskLists, type MaskedRecordView } from './default-mask.js';

/** sha256 of the default mask module's OPA AST JSON with the list rules' values set to null. */
export const DEFAULT_MASK_PROGRAM = '7ca219efc0c99e8793d400a2580e10c25b18f89d28e89146f9559baff0d8f0ef';

const PACKAGE = ['system', 'log'];
/** Larger lists keep the Rego: the probes below grow with them and run on the event loop (a
 * bundle is bounded in size, not in how long checking it may take). The default lists hold 28
 * shapes and 4 results. */
export const MAX_LISTED_SHAPES = 512;
export const MAX_KEPT_RESULTS = 64;
/** Each probe evaluation's budget, in steps: deterministic, so that recognition does not depend
 * on how busy the machine is (a 250 ms wall-clock budget timed out on a starved process — under
 * valgrind, or a loaded CI machine — and left the snapshot on the Rego mask, ~6 × the work per
 * record, for its whole life). The program is the default one and its lists are bounded, so a
 * probe takes a few thousand steps (under 3,000 for the default lists, under 30,000 with ~500
 * listed shapes, near MAX_LISTED_SHAPES); the wall clock is a backstop. */
const PROBE_BUDGET = { maxSteps: 1_000_000, timeoutMs: 10_000 };
const LIST_RULES = ['tool_call_fields', 'deployment_fields', 'kept_results'];

/** The digest that step 1 compares with DEFAULT_MASK_PROGRAM (exported for its test). */
export function maskProgramDigest(ast: unknown): string | null {
  if (!isRecord(ast) || !Array.isArray(ast.rules)) return null;
  const rules = ast.rules.map((r: unknown) => {
    if (!isRecord(r) || !isRecord(r.head) || typeof r.head.name !== 'string' || !LIST_RULES.includes(r.head.name)) return r;
    return { ...r, head: { ...r.head, value: null } };
  });
  return createHash('sha256')
    .update(JSON.stringify({ ...ast, rules }))
    .digest('hex');
}

/** The lists to run default-mask.ts with, or null: the Rego mask must be evaluated. */
export function recognizeDefaultMask(set: ActivePolicySet, maskPath: string): DefaultMaskLists | null {
  try {
    // The path as the engine reads it ("system/log/mask", "/system/log/mask", "system.log.mask").
    if (!samePath(splitQueryPath(maskPath), [...PACKAGE, 'mask']) || set.engineFor(maskPath) !== 'rego' || !set.policies) return null;
    // Modules that could define what the program reads: in package system or system.log (an
    // unreadable package counts as one). One below it (system.log.mask_test) cannot: a package
    // named like one of the program's rules is a conflict the compiler refuses.
    const owners = set.policies().filter((m) => {
      const pkg = packageOf(m);
      return pkg === null || (pkg.length <= PACKAGE.length && pkg.every((seg, i) => seg === PACKAGE[i]));
    });
    const program = owners.length === 1 ? owners[0]! : undefined;
    if (program === undefined || !samePath(packageOf(program), PACKAGE) || maskProgramDigest(program.ast) !== DEFAULT_MASK_PROGRAM) return null;
    const lists = listsOf(set);
    return lists !== null && agreesOnProbes(set, maskPath, lists) ? lists : null;
  } catch {
    return null;
  }
}

/** The package path under data (null when the AST is not a module's). */
function packageOf(m: PolicyModule | undefined): string[] | null {
  const ast = m?.ast;
  if (!isRecord(ast) || !isRecord(ast.package) || !Array.isArray(ast.package.path)) return null;
  const terms = ast.package.path.slice(1) as unknown[];
  const out: string[] = [];
  for (const t of terms) {
    if (!isRecord(t) || typeof t.value !== 'string') return null;
    out.push(t.value);
  }
  return out;
}

function samePath(a: readonly string[] | null, b: readonly string[]): boolean {
  return a !== null && a.length === b.length && a.every((s, i) => s === b[i]);
}

function listsOf(set: ActivePolicySet): DefaultMaskLists | null {
  const doc = (name: string): unknown => {
    const out = set.evaluate(`system/log/${name}`, undefined);
    return out.ok && out.defined ? out.result : undefined;
  };
  const toolCall = stringMap(doc('tool_call_fields'));
  const deployment = stringMap(doc('deployment_fields'));
  const kept = doc('kept_results');
  if (toolCall === null || deployment === null || !Array.isArray(kept) || !kept.every((k) => typeof k === 'string')) return null;
  if (toolCall.size + deployment.size > MAX_LISTED_SHAPES || kept.length > MAX_KEPT_RESULTS) return null;
  return { toolCall, deployment, keptResults: new Set(kept as string[]) };
}

function stringMap(v: unknown): Map<string, string> | null {
  if (!isRecord(v)) return null;
  const out = new Map<string, string>();
  for (const [k, t] of Object.entries(v)) {
    if (typeof t !== 'string') return null;
    out.set(k, t);
  }
  return out;
}

function agreesOnProbes(set: ActivePolicySet, maskPath: string, lists: DefaultMaskLists): boolean {
  for (const record of probeRecords(lists)) {
    const rego = set.evaluate(maskPath, record, PROBE_BUDGET);
    if (!rego.ok || !rego.defined) return false;
    if (JSON.stringify(rego.result) !== JSON.stringify(defaultMaskRules(lists, record))) return false;
  }
  return true;
}

/** Records that give every listed field a value of its type and one of another type, under each
 * path family the program tells apart, with fields it does not list and results of every kind. */
export function probeRecords(lists: DefaultMaskLists): MaskedRecordView[] {
  const shapes = new Map<string, string>([...lists.toolCall, ...lists.deployment]);
  const right: Record<string, unknown> = {};
  const wrong: Record<string, unknown> = {};
  for (const [shape, type] of shapes) {
    place(right, shape, sample(type));
    place(wrong, shape, type === 'string' ? 7 : 'x');
  }
  for (const doc of [right, wrong]) {
    place(doc, '/model/evaluation/metrics/auc', 0.9);
    place(doc, '/model/evaluation/metrics/f1', '0.8');
    place(doc, '/model/evaluation/metrics/by/group', 1);
    place(doc, '/arguments/password', 'Hunter2 😀');
    // ordered differently by UTF-16 units and by code points
    place(doc, '/arguments/\u{1F600}', 1);
    place(doc, '/arguments/\uFB00', 2);
    place(doc, '/arguments/a~1b~0c/~', null);
    place(doc, '/arguments/amount', 12345678901234567890n);
    place(doc, '/arguments/empty', {});
    place(doc, '/arguments/none', []);
  }
  const result = { allow: false, reasons: [{ code: 'X', message: 'm' }], n: 1, none: null, empty: [] };
  const out: MaskedRecordView[] = [];
  for (const path of ['ai/tools/decision', 'ai/tools/arguments', 'ai/deployment/decision', 'ai/deployment', 'ai/toolsx', 'other/doc']) {
    for (const input of [right, wrong]) out.push({ path, input, result });
  }
  // Each kept result's path, with a small input: what differs there is the result.
  for (const path of lists.keptResults) out.push({ path, input: { arguments: { a: 'x' } }, result });
  out.push({ path: 'ai/tools/decision', input: 'a string' }, { path: 'ai/tools/decision', result: true }, { input: right, result });
  return out;
}

function sample(type: string): unknown {
  switch (type) {
    case 'number':
      return 3;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'timestamp':
      return '2026-01-02T03:04:05.5+01:00';
    case 'digest':
      return `sha256:${'ab'.repeat(32)}`;
    default:
      return 'value';
  }
}

/** Sets the value at a shape ("~": index 0 of an array), creating containers on the way; a shape
 * that conflicts with one placed before is skipped. */
function place(doc: Record<string, unknown>, shape: string, value: unknown): void {
  const segs = shape
    .split('/')
    .slice(1)
    .map((s) => (s === '~' ? 0 : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  let cur: unknown = doc;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    const next = segs[i + 1];
    const container = (): unknown => (last ? value : typeof next === 'number' ? [] : {});
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return;
      if (cur.length === 0) cur.push(container());
      else if (last) return;
      cur = cur[0];
    } else {
      if (!isRecord(cur)) return;
      if (!Object.hasOwn(cur, seg)) Object.defineProperty(cur, seg, { value: container(), enumerable: true, writable: true, configurable: true });
      else if (last) return;
      cur = cur[seg];
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
