// `pdp bench <query>`: evaluate a query repeatedly and print OPA's `opa bench` result — Go's
// benchmark result (N iterations, T total ns) as a table or JSON; --count repeats the benchmark.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RegoCompileErrors, isRegoError, type RegoError } from '../../rego/index.js';
import { CliError, type CliIO } from '../io.js';
import { jsonText } from '../json.js';
import { compileSources, printCompileErrors } from '../policy.js';
import { loadSources, parseDocument } from '../sources.js';
import { benchmark } from '../test-output.js';
import { parseDuration } from '../duration.js';

export async function benchCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string', short: 'd', multiple: true },
      bundle: { type: 'string', short: 'b', multiple: true },
      input: { type: 'string', short: 'i' },
      format: { type: 'string', short: 'f', default: 'pretty' },
      count: { type: 'string', default: '1' },
      benchtime: { type: 'string', default: '1s' },
      'v0-compatible': { type: 'boolean', default: false },
    },
  });
  if (values.format !== 'pretty' && values.format !== 'json') throw new CliError('usage', '--format must be pretty or json');
  if (positionals.length !== 1) throw new CliError('usage', 'give exactly one query (quote it)');
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new CliError('usage', '--count must be an integer from 1 to 1000');
  const targetMs = parseDuration(values.benchtime, '--benchtime');
  const bundles = values.bundle ?? [];
  const sources = await loadSources([...(values.data ?? []), ...bundles], io.cwd, { bundles });
  let input: unknown;
  if (values.input !== undefined) {
    const text = await readFile(path.resolve(io.cwd, values.input), 'utf8').catch(() => {
      throw new CliError('load_error', `${values.input}: cannot read input file`);
    });
    input = parseDocument(text, values.input);
  }
  const compiled = compileSources(sources, values['v0-compatible']);
  if (!compiled.ok) {
    printCompileErrors(io, compiled.errors);
    return 2;
  }
  const policy = compiled.policy;
  let prepared;
  try {
    prepared = policy.prepare(positionals[0]);
    policy.query(prepared, { input }); // an evaluation error stops here, before timing
  } catch (e) {
    if (e instanceof RegoCompileErrors) {
      printCompileErrors(io, e.errors);
      return 2;
    }
    if (isRegoError(e)) {
      // rego_* (parse, compile) errors are the query's fault (2); eval_* ones the evaluation's (1).
      printCompileErrors(io, [e as RegoError]);
      return (e as RegoError).code.startsWith('rego_') ? 2 : 1;
    }
    throw e;
  }
  for (let i = 0; i < count; i++) {
    const r = benchmark(() => void policy.query(prepared, { input }), targetMs);
    const nsPerOp = Math.round(r.totalNs / r.n);
    if (values.format === 'json') io.out(jsonText({ N: r.n, T: r.totalNs, Extra: { 'ns/op': nsPerOp } }) + '\n');
    else
      io.out(
        table([
          ['samples', String(r.n)],
          ['ns/op', String(nsPerOp)],
          ['total ns', String(r.totalNs)],
        ]),
      );
  }
  return 0;
}

function table(rows: [string, string][]): string {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const rule = `+${'-'.repeat(w0 + 2)}+${'-'.repeat(w1 + 2)}+\n`;
  return rule + rows.map(([a, b]) => `| ${a.padEnd(w0)} | ${b.padStart(w1)} |\n`).join('') + rule;
}
