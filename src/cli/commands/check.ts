// `pdp check <paths...>`: `opa check` (parse, compile and type check; --strict) and then, for
// policies written for this service, a bundle-level rule unit tests cannot forget to test —
// fail closed without a request: every decision the service serves (the policy paths of the
// decision endpoints, src/decisions/kinds.ts), the boolean `allow` beside each, and every
// --entrypoint must not allow when evaluated with no input or with an input that is not a
// request at all. A policy whose controls all read `input` allows exactly then
// (`allow := count(reasons) == 0` with no reasons), through the OPA Data API that has no schema.
// The rule runs when the policies define a served decision, with --entrypoint, or with
// --fail-closed; any other policy repository gets exactly `opa check`.
import { parseArgs } from 'node:util';
import { DECISION_ENDPOINTS } from '../../decisions/kinds.js';
import { isRegoError, toJSON, type CompiledPolicy, type RegoError } from '../../rego/index.js';
import { describeThrown } from '../../shared/errors.js';
import { CliError, type CliIO } from '../io.js';
import { jsonText } from '../json.js';
import { opaErrorsText } from '../opa-errors.js';
import { compileSources, printCompileErrors } from '../policy.js';
import { loadSources } from '../sources.js';
import { strictErrors } from '../strict.js';

/** Inputs that carry no request: none at all (a GET, a POST without a body), then every JSON type. */
export const NO_REQUEST_INPUTS: readonly { label: string; input: unknown }[] = [
  { label: 'no input', input: undefined },
  { label: '{}', input: {} },
  { label: '[]', input: [] },
  { label: '""', input: '' },
  { label: '0', input: 0 },
  { label: 'null', input: null },
  { label: 'false', input: false },
  { label: 'true', input: true },
];

export interface CheckResult {
  /** data.… path checked. */
  path: string;
  /** Whether any rule or data can define the path in these policies. */
  defined: boolean;
  /** Labels of the inputs (NO_REQUEST_INPUTS) the path allowed on. */
  allows: string[];
  /** Inputs whose evaluation failed (the service answers those with a deny). */
  errors: { input: string; message: string }[];
  pass: boolean;
}

/** The served decision paths (dotted, under data) and the boolean `allow` beside each. */
export function servedDecisionPaths(): string[] {
  const out: string[] = [];
  for (const e of DECISION_ENDPOINTS) {
    const segs = e.policyPath.split('/');
    out.push(segs.join('.'), [...segs.slice(0, -1), 'allow'].join('.'));
  }
  return out;
}

/** An allow: `true`, or a document whose `allow` is `true` (what a client of either would act on). */
function allows(value: unknown): boolean {
  if (value === true) return true;
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { allow?: unknown }).allow === true;
}

export function checkFailClosed(policy: CompiledPolicy, paths: readonly string[], timeoutMs: number): CheckResult[] {
  return paths.map((path) => {
    const defined = policy.mayDefine(path);
    const result: CheckResult = { path: `data.${path}`, defined, allows: [], errors: [], pass: true };
    if (!defined) return result;
    for (const { label, input } of NO_REQUEST_INPUTS) {
      try {
        const r = policy.evaluate(path, input === undefined ? { timeoutMs } : { input, timeoutMs });
        if (r.defined && allows(toJSON(r.value!))) result.allows.push(label);
      } catch (e) {
        if (!isRegoError(e)) throw e;
        result.errors.push({ input: label, message: describeThrown(e) });
      }
    }
    result.pass = result.allows.length === 0;
    return result;
  });
}

export async function checkCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      entrypoint: { type: 'string', short: 'e', multiple: true },
      format: { type: 'string', default: 'pretty' },
      timeout: { type: 'string', default: '10000' },
      strict: { type: 'boolean', short: 's', default: false },
      'fail-closed': { type: 'boolean', default: false },
    },
  });
  if (values.format !== 'pretty' && values.format !== 'json') throw new CliError('usage', '--format must be pretty or json');
  if (positionals.length === 0) throw new CliError('usage', 'pdp check: give at least one file or directory');
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new CliError('usage', '--timeout must be a positive number of milliseconds');
  const extra = (values.entrypoint ?? []).map((p) => {
    const segs = p.split(/[./]/).filter((s) => s !== '');
    return (segs[0] === 'data' ? segs.slice(1) : segs).join('.');
  });
  if (extra.some((p) => p === '')) throw new CliError('usage', '--entrypoint must name a document under data (e.g. authz.allow)');

  const json = values.format === 'json';
  // --format json: errors as OPA's check writes them (stderr, {"errors": [...]}), so tooling
  // that reads `opa check --format json` reads these too. Exit 1, as `opa check` (cmd/check.go
  // returns the compiler's errors; OPA's main exits 1 on any error).
  const reportErrors = (errors: RegoError[]): number => {
    if (json) io.err(opaErrorsText(errors));
    else printCompileErrors(io, errors);
    return 1;
  };
  let sources: Awaited<ReturnType<typeof loadSources>>;
  try {
    sources = await loadSources(positionals, io.cwd, { mode: 'bundle' });
  } catch (e) {
    if (!json || !(e instanceof CliError)) throw e;
    io.err(opaErrorsText([{ message: e.message }]));
    return e.exitCode;
  }
  const compiled = compileSources(sources);
  if (!compiled.ok) return reportErrors(compiled.errors);
  if (values.strict) {
    const strict = strictErrors(compiled.policy.modules);
    if (strict.length > 0) return reportErrors(strict);
  }
  // The served decisions are checked when these policies define one (a bundle for this service)
  // or when asked to; a generic OPA policy repository stops here, as `opa check` does: exit 0,
  // nothing printed.
  const served = servedDecisionPaths();
  const forService = values['fail-closed'] || served.some((p) => compiled.policy.mayDefine(p));
  const paths = [...new Set([...(forService ? served : []), ...extra])];
  if (paths.length === 0) return 0;
  const results = checkFailClosed(compiled.policy, paths, timeoutMs);
  const failed = results.filter((r) => !r.pass);
  const checked = results.filter((r) => r.defined);

  if (json) io.out(jsonText(results) + '\n');
  else {
    for (const r of results) {
      if (!r.defined) io.out(`${r.path}: not defined by these policies (the service denies it: POLICY_UNDEFINED)\n`);
      else if (r.pass) io.out(`${r.path}: PASS denies without a request (${NO_REQUEST_INPUTS.map((i) => i.label).join(', ')})\n`);
      else io.out(`${r.path}: FAIL allows without a request, on input: ${r.allows.join(', ')}\n`);
      for (const e of r.errors) io.out(`  input ${e.input}: evaluation error (the service denies): ${e.message}\n`);
    }
    io.out(`${checked.length - failed.length} passed, ${failed.length} failed\n`);
  }
  if (checked.length === 0) {
    io.err(`none of the checked documents is defined by these policies: ${paths.map((p) => `data.${p}`).join(', ')}\n`);
    return 2;
  }
  return failed.length === 0 ? 0 : 1;
}
