// `pdp eval -d <path>... [-i input] <query>`: evaluate a query like `opa eval` and print the
// result set: {"result": [{"expressions": [{"value", "text", "location"}], "bindings"}]},
// or {} when the query is undefined.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { queryWithExpressions } from '../../conformance/capture.js';
import { regoEngine } from '../../conformance/rego-engine.js';
import { isRegoError, RegoCompileErrors, toJSON, type RegoError, type Value } from '../../rego/index.js';
import { CliError, type CliIO } from '../io.js';
import { jsonText } from '../json.js';
import { compileSources } from '../policy.js';
import { loadSources, parseDocument } from '../sources.js';
import { parseDuration } from '../duration.js';
import { OBSERVE_OPTIONS, observe, observedJson, observedPretty, observeFlags, wantsObservation, type Observed } from '../eval-observe.js';
import { EVAL_FORMATS, evalExitCode, opaFormat, type EvalFormat } from '../eval-output.js';
import { partialEval, partialJson, partialPretty, PartialEvalRefusal, type PartialResult } from '../partial-eval.js';
import type { Module } from '../../rego/index.js';

interface ResultEntry {
  expressions: { value: unknown; text: string; location: { row: number; col: number } }[];
  bindings?: Record<string, unknown>;
}

function bindingsJson(b: Record<string, Value>): Record<string, unknown> | undefined {
  const keys = Object.keys(b).sort();
  if (keys.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = toJSON(b[k]);
  return out;
}

function errorsJson(errors: RegoError[]): unknown {
  return {
    errors: errors.map((e) => ({
      message: e.detail,
      code: e.code,
      ...(e.location ? { location: { file: e.location.file, row: e.location.row, col: e.location.col } } : {}),
    })),
  };
}

function pretty(result: ResultEntry[]): string {
  if (result.length === 0) return 'undefined';
  const noBindings = result.every((r) => r.bindings === undefined);
  if (result.length === 1 && noBindings) {
    const ex = result[0].expressions;
    return ex.length === 1 ? jsonText(ex[0].value) : jsonText(ex.map((e) => e.value));
  }
  // A table of bindings, one row per result (expression values when there are no bindings).
  const cols = noBindings ? result[0].expressions.map((e) => e.text) : [...new Set(result.flatMap((r) => Object.keys(r.bindings ?? {})))];
  const rows = result.map((r) => (noBindings ? r.expressions.map((e) => jsonText(e.value, 0)) : cols.map((c) => jsonText(r.bindings?.[c], 0))));
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  return [rule, line(cols), rule, ...rows.map(line), rule].join('\n');
}

export async function evalCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string', short: 'd', multiple: true },
      input: { type: 'string', short: 'i' },
      format: { type: 'string', short: 'f', default: 'json' },
      fail: { type: 'boolean', default: false },
      'strict-builtin-errors': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '10s' },
      bundle: { type: 'string', short: 'b', multiple: true },
      ignore: { type: 'string', multiple: true },
      'v0-compatible': { type: 'boolean', default: false },
      'stdin-input': { type: 'boolean', short: 'I', default: false },
      'fail-defined': { type: 'boolean', default: false },
      partial: { type: 'boolean', short: 'p', default: false },
      unknowns: { type: 'string', short: 'u', multiple: true },
      ...OBSERVE_OPTIONS,
    },
  });
  const flags = observeFlags(values);
  const format = values.format as EvalFormat;
  if (!EVAL_FORMATS.includes(format)) throw new CliError('usage', `--format must be one of ${EVAL_FORMATS.join(', ')}`);
  if (values['stdin-input'] && values.input !== undefined) throw new CliError('usage', 'give the input with -i FILE or -I (stdin), not both');
  if (positionals.length !== 1) throw new CliError('usage', 'pdp eval: give exactly one query (quote it)');
  const timeoutMs = parseDuration(values.timeout, '--timeout');
  const query = positionals[0];

  if (values.unknowns !== undefined && !values.partial) throw new CliError('usage', '--unknowns applies only with --partial');
  if (values.partial) {
    if (format !== 'json' && format !== 'pretty') throw new CliError('usage', '--partial prints -f json or -f pretty');
    if (values.input !== undefined || values['stdin-input'])
      throw new CliError('usage', '--partial with a known input is not supported here (the input is the unknown)');
    if (wantsObservation(flags)) throw new CliError('usage', '--partial cannot be combined with --explain, --profile, --metrics or --coverage here');
  }

  const tLoad = process.hrtime.bigint();
  const bundles = values.bundle ?? [];
  const sources = await loadSources([...(values.data ?? []), ...bundles], io.cwd, { bundles, ignore: values.ignore ?? [] });
  let input: unknown;
  if (values.input !== undefined) {
    const file = path.resolve(io.cwd, values.input);
    const text = await readFile(file, 'utf8').catch(() => {
      throw new CliError('load_error', `${values.input}: cannot read input file`);
    });
    input = parseDocument(text, values.input);
  }
  if (values['stdin-input']) {
    if (!io.readStdin) throw new CliError('usage', '-I: no standard input to read');
    input = parseDocument(await io.readStdin(), 'stdin');
  }

  const fail = (errors: RegoError[]): number => {
    if (values.format === 'json') io.out(jsonText(errorsJson(errors)) + '\n');
    else io.err(`${errors.length} error${errors.length === 1 ? '' : 's'} occurred:\n${errors.map((e) => e.message).join('\n')}\n`);
    return 1;
  };
  const tCompile = process.hrtime.bigint();
  const compiled = compileSources(sources, values['v0-compatible']);
  if (!compiled.ok) return fail(compiled.errors);
  if (values.partial) return partialCommand(io, compiled.policy.modules, sources.data, query, values.unknowns ?? ['input'], format);
  const tEval = process.hrtime.bigint();

  let result: ResultEntry[];
  try {
    const q = queryWithExpressions(regoEngine, compiled.policy, query, {
      input,
      strict: values['strict-builtin-errors'],
      timeoutMs,
    });
    result = q.rows.map((row) => {
      const entry: ResultEntry = {
        expressions: row.expressions.map((v, i) => ({
          value: toJSON(v),
          text: q.texts[i].text,
          location: { row: q.texts[i].loc.row, col: q.texts[i].loc.col },
        })),
      };
      const b = bindingsJson(row.bindings);
      if (b) entry.bindings = b;
      return entry;
    });
  } catch (e) {
    if (e instanceof RegoCompileErrors) return fail(e.errors);
    if (isRegoError(e)) return fail([e as RegoError]);
    throw e;
  }

  let seen: Observed = {};
  if (wantsObservation(flags)) {
    const timers = {
      timer_rego_load_files_ns: Number(tCompile - tLoad),
      timer_rego_module_compile_ns: Number(tEval - tCompile),
      timer_rego_query_eval_ns: Number(process.hrtime.bigint() - tEval),
    };
    seen = observe(flags, compiled.policy, query, { input, strict: values['strict-builtin-errors'], timeoutMs }, timers);
  }
  if (format === 'json') io.out(jsonText({ ...(result.length === 0 ? {} : { result }), ...observedJson(seen) }) + '\n');
  else if (format === 'pretty') {
    const extra = observedPretty(seen);
    io.out(extra.before + pretty(result) + '\n' + extra.after);
  } else io.out(opaFormat(format, result));
  return evalExitCode(result.length > 0, values.fail, values['fail-defined']);
}

/** --partial: OPA's {"partial": {...}}, or a refusal in OPA's error shape with exit 2. */
function partialCommand(io: CliIO, modules: readonly Module[], data: Record<string, unknown>, query: string, unknowns: string[], format: EvalFormat): number {
  let result: PartialResult;
  try {
    result = partialEval(modules, query, unknowns);
    // A path that base data also defines is a conflict OPA reports; not decided here.
    const segs = /^\s*data\.(.*?)\s*$/.exec(query)?.[1]?.split('.') ?? [];
    let node: unknown = data;
    for (const s of segs) {
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, s)) {
        node = undefined;
        break;
      }
      node = (node as Record<string, unknown>)[s];
      if (node === null || typeof node !== 'object') break;
    }
    if (node !== undefined && segs.length > 0) throw new PartialEvalRefusal(`${query.trim()}: data files define values on this path`);
  } catch (e) {
    if (!(e instanceof PartialEvalRefusal)) throw e;
    const err = { message: e.message, code: e.code, ...(e.location ? { location: e.location } : {}) };
    if (format === 'json') io.out(jsonText({ errors: [err] }) + '\n');
    else io.err(`1 error occurred: ${e.location ? `${e.location.file}:${e.location.row}: ` : ''}${e.code}: ${e.message}\n`);
    return 2;
  }
  if (format === 'json') io.out(jsonText(partialJson(result)) + '\n');
  else io.out(partialPretty(result));
  return 0;
}
