// `pdp conformance [<dir>...]`: run OPA-format conformance YAML and report.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { describeThrown } from '../../shared/errors.js';
import { passedCounts, raiseFloor, readFloor } from '../../conformance/floor.js';
import { mergeKnown, readKnown, writeKnown, type KnownList } from '../../conformance/known.js';
import { buildReport, renderJson, renderText } from '../../conformance/report.js';
import { regoEngine } from '../../conformance/rego-engine.js';
import { DEFAULT_RUN_LIMITS } from '../../conformance/run.js';
import { runSuite } from '../../conformance/suite.js';
import type { Dialect } from '../../conformance/types.js';
import { CliError, type CliIO } from '../io.js';

/** The repository's copy of the suites: ../shared/conformance next to the repo (src/cli/commands or dist/cli/commands → repo). */
export function defaultConformanceDirs(): string[] {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const base = path.resolve(repo, '../shared/conformance');
  return ['opa-v1', 'regorus'].map((d) => path.join(base, d)).filter((d) => existsSync(d));
}

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new CliError('usage', `--${name} must be a positive integer`);
  return n;
}

export async function conformanceCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      'known-failures': { type: 'string' },
      'write-known-failures': { type: 'string' },
      'fail-on-new': { type: 'boolean', default: false },
      'write-floor': { type: 'string' },
      only: { type: 'string', multiple: true },
      dialect: { type: 'string' },
      'max-steps': { type: 'string' },
      'timeout-ms': { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
    },
  });
  if (values.format !== 'text' && values.format !== 'json') throw new CliError('usage', '--format must be text or json');
  if (values.dialect !== undefined && values.dialect !== 'opa' && values.dialect !== 'regorus') {
    throw new CliError('usage', '--dialect must be opa or regorus');
  }
  const dirs = positionals.length > 0 ? positionals.map((d) => path.resolve(io.cwd, d)) : defaultConformanceDirs();
  if (dirs.length === 0) throw new CliError('usage', 'no conformance folder given and ../shared/conformance not found');
  for (const d of dirs) if (!existsSync(d)) throw new CliError('load_error', `${d}: no such directory`);

  const knownFile = values['known-failures'] ? path.resolve(io.cwd, values['known-failures']) : undefined;
  let known: KnownList | undefined;
  if (knownFile) {
    try {
      known = await readKnown(knownFile);
    } catch (e) {
      throw new CliError('load_error', `${knownFile}: ${describeThrown(e)}`);
    }
  }

  const only = (values.only ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  let n = 0;
  const res = await runSuite(regoEngine, dirs, {
    dialect: values.dialect as Dialect | undefined,
    only,
    limits: {
      ...DEFAULT_RUN_LIMITS,
      maxSteps: positiveInt('max-steps', values['max-steps'], DEFAULT_RUN_LIMITS.maxSteps),
      timeoutMs: positiveInt('timeout-ms', values['timeout-ms'], DEFAULT_RUN_LIMITS.timeoutMs),
    },
    onCase:
      values.quiet || values.format === 'json'
        ? undefined
        : () => {
            if (++n % 100 === 0) io.err(`… ${n} cases\n`);
          },
  });
  const report = buildReport(res.outcomes, known, res.durationMs);
  io.out(values.format === 'json' ? renderJson(report) : renderText(report));

  const knownOut = values['write-known-failures'];
  if (knownOut) {
    const target = path.resolve(io.cwd, knownOut);
    const existing = await readKnown(target).catch((e: unknown) => {
      throw new CliError('load_error', `${target}: ${describeThrown(e)}`);
    });
    const merged = mergeKnown(existing, report.failures, new Set(res.outcomes.map((o) => o.key)));
    await writeKnown(target, merged);
    io.err(`wrote ${Object.keys(merged).length} known failures to ${knownOut}\n`);
  }

  if (values['write-floor']) {
    const target = path.resolve(io.cwd, values['write-floor']);
    const floor = raiseFloor(await readFloor(target), passedCounts(report.folders));
    await writeFile(target, JSON.stringify(floor, null, 2) + '\n', 'utf8');
    io.err(`floor in ${values['write-floor']}: ${Object.keys(floor).length} folders\n`);
  }

  if (values['fail-on-new']) {
    if (!known) throw new CliError('usage', '--fail-on-new needs --known-failures FILE');
    const fresh = report.failures.filter((f) => f.known === false);
    if (fresh.length > 0) {
      io.err(`${fresh.length} failure(s) not in ${values['known-failures']}\n`);
      return 1;
    }
  }
  return 0;
}
