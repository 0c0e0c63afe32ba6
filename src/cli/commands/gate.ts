// `pdp gate model-deployment`: a release gate for pipelines and model registries. The request is
// a model-deployment request document (JSON or YAML), or a registry record (`--from mlflow|
// sagemaker FILE`) plus the deployment target flags; the decision comes from a bundle in this
// process (-b) or a running service (--url). Prints the verdict (--format) and exits 0 allow,
// 1 deny, 2 could not decide (bad input, unreachable service, no policy).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decideWithBundle, decideWithService, type GateOutcome } from '../../gate/decide.js';
import { GATE_FORMATS, render, type GateFormat, type GateReport } from '../../gate/format.js';
import { fromMlflow, fromSagemaker, type RegistryRecord, type Target } from '../../gate/registry.js';
import { validatorFor } from '../../shared/schemas.js';
import { CliError, type CliIO } from '../io.js';
import { parse as parseYaml } from 'yaml';
import { describeThrown } from '../../shared/errors.js';

const EXIT = { allow: 0, deny: 1, undecided: 2 } as const;
const validateRequest = validatorFor('model-deployment-request.json');

/** Largest request or registry file read. */
const MAX_FILE = 4 * 1024 * 1024;

export async function gateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      bundle: { type: 'string', short: 'b' },
      url: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      'token-env': { type: 'string' },
      ca: { type: 'string' },
      environment: { type: 'string', short: 'e' },
      exposure: { type: 'string' },
      region: { type: 'string' },
      cluster: { type: 'string' },
      namespace: { type: 'string' },
      requester: { type: 'string' },
      roles: { type: 'string' },
      format: { type: 'string', short: 'f', default: 'text' },
      timeout: { type: 'string', default: '10000' },
    },
  });
  const [what, file, ...extra] = positionals;
  if (what !== 'model-deployment') throw new CliError('usage', 'pdp gate: the first argument must be model-deployment (see pdp gate --help)');
  if (file === undefined || extra.length > 0)
    throw new CliError('usage', 'pdp gate model-deployment: give exactly one request file (or registry record with --from)');
  const format = values.format as GateFormat;
  if (!GATE_FORMATS.includes(format)) throw new CliError('usage', `--format must be one of ${GATE_FORMATS.join(', ')}`);
  if ((values.bundle === undefined) === (values.url === undefined))
    throw new CliError('usage', 'give exactly one of -b BUNDLE (decide here) or --url URL (ask a running service)');
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new CliError('usage', '--timeout must be a positive number of milliseconds');
  if (values.from !== undefined && values.from !== 'mlflow' && values.from !== 'sagemaker') throw new CliError('usage', '--from must be mlflow or sagemaker');

  const doc = parseFile(await readBounded(io, file), file);
  let request: unknown;
  let record: RegistryRecord | undefined;
  if (values.from === undefined) {
    request = overrideTarget(doc, values);
  } else {
    if (values.environment === undefined)
      throw new CliError('usage', `--from ${values.from} needs --environment (the deployment target is not in the registry)`);
    const target: Target = {
      environment: values.environment,
      ...(values.exposure !== undefined ? { exposure: values.exposure } : {}),
      ...(values.region !== undefined ? { region: values.region } : {}),
      ...(values.cluster !== undefined ? { cluster: values.cluster } : {}),
      ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    };
    const requester = {
      ...(values.requester !== undefined ? { id: values.requester } : {}),
      ...(values.roles !== undefined ? { roles: splitList(values.roles) } : {}),
    };
    record = values.from === 'mlflow' ? fromMlflow(doc, target, requester) : fromSagemaker(doc, target, requester);
    if (record.mapped.ok) request = record.mapped.request;
  }

  const report: GateReport = {
    verdict: 'undecided',
    subject: subjectOf(request ?? doc),
    source: file,
    ...(record?.registryStatus ? { registryStatus: record.registryStatus } : {}),
  };
  if (record && !record.mapped.ok) report.message = `the ${values.from} record makes no valid request: ${record.mapped.problems.join('; ')}`;
  else if (record?.notReady) report.message = record.notReady;
  else if (record?.rejected) {
    report.verdict = 'deny';
    report.message = record.rejected;
  } else if (!validateRequest(request)) {
    report.message = `not a valid model-deployment request: ${(validateRequest.errors ?? []).map((e) => `${e.instancePath || '(document)'} ${e.message ?? ''}`.trim()).join('; ')}`;
  } else {
    const outcome = await decide(request, values, timeoutMs, io);
    if (outcome.kind === 'decided') {
      report.verdict = outcome.body.allow ? 'allow' : 'deny';
      report.decision = outcome.body;
      if (outcome.validUntil) report.validUntil = outcome.validUntil;
    } else report.message = outcome.message;
  }
  io.out(render(report, format));
  return EXIT[report.verdict];
}

async function decide(request: unknown, values: Record<string, string | boolean | undefined>, timeoutMs: number, io: CliIO): Promise<GateOutcome> {
  if (typeof values.bundle === 'string') return decideWithBundle(path.resolve(io.cwd, values.bundle), request, timeoutMs);
  const token = await tokenOf(values, io);
  const ca = typeof values.ca === 'string' ? await readBounded(io, values.ca) : undefined;
  return decideWithService(request, { url: values.url as string, timeoutMs, ...(token ? { token } : {}), ...(ca ? { ca } : {}) });
}

/** --token, --token-file or --token-env (a CI secret in a variable, kept out of the process list). */
async function tokenOf(values: Record<string, string | boolean | undefined>, io: CliIO): Promise<string | undefined> {
  const given = ['token', 'token-file', 'token-env'].filter((k) => typeof values[k] === 'string');
  if (given.length > 1) throw new CliError('usage', 'give at most one of --token, --token-file, --token-env');
  if (typeof values.token === 'string') return values.token;
  if (typeof values['token-file'] === 'string') return (await readBounded(io, values['token-file'])).trim();
  if (typeof values['token-env'] === 'string') {
    const v = process.env[values['token-env']];
    if (!v) throw new CliError('usage', `--token-env ${values['token-env']}: the variable is not set`);
    return v.trim();
  }
  return undefined;
}

async function readBounded(io: CliIO, file: string): Promise<string> {
  const text = await readFile(path.resolve(io.cwd, file), 'utf8').catch(() => {
    throw new CliError('load_error', `${file}: cannot read the file`, 2);
  });
  if (text.length > MAX_FILE) throw new CliError('load_error', `${file}: larger than ${MAX_FILE} bytes`, 2);
  return text;
}

/** The request document with the target flags applied (a flag wins over the file). */
function overrideTarget(doc: unknown, values: Record<string, string | boolean | undefined>): unknown {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return doc;
  const d = doc as Record<string, unknown>;
  const deployment = { ...(typeof d.deployment === 'object' && d.deployment !== null ? (d.deployment as Record<string, unknown>) : {}) };
  for (const k of ['environment', 'exposure', 'region', 'cluster', 'namespace'] as const) if (typeof values[k] === 'string') deployment[k] = values[k];
  const requester = { ...(typeof d.requester === 'object' && d.requester !== null ? (d.requester as Record<string, unknown>) : {}) };
  if (typeof values.requester === 'string') requester.id = values.requester;
  if (typeof values.roles === 'string') requester.roles = splitList(values.roles);
  const changed = ['environment', 'exposure', 'region', 'cluster', 'namespace', 'requester', 'roles'].some((k) => typeof values[k] === 'string');
  return changed ? { ...d, deployment, ...(Object.keys(requester).length ? { requester } : {}) } : doc;
}

/** JSON or YAML (JSON is YAML); numbers as numbers, as the service reads a JSON body. */
function parseFile(text: string, file: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: 100 }) as unknown;
  } catch (e) {
    throw new CliError('load_error', `${file}: cannot parse: ${describeThrown(e).split('\n')[0]}`, 2);
  }
}

const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

function subjectOf(doc: unknown): string {
  const d = (typeof doc === 'object' && doc !== null ? doc : {}) as {
    model?: { name?: unknown; version?: unknown };
    deployment?: { environment?: unknown; exposure?: unknown };
  };
  const s = (v: unknown): string => (typeof v === 'string' ? v : '?');
  return `${s(d.model?.name)} ${s(d.model?.version)} → ${s(d.deployment?.environment)}${typeof d.deployment?.exposure === 'string' ? ` (${d.deployment.exposure})` : ''}`;
}
