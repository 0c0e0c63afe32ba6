// `pdp gate model-deployment` in-process (src/cli/main.ts): every examples/model-deployment body
// decided on the repository's policies (-b) with the exit code its name promises; the MLflow and
// SageMaker fixtures (test/fixtures/gate/, written from the documented get-model-version and
// DescribeModelPackage answers) and their registry states; each output format; a running service
// (--url, with an API key); and input that cannot be decided (exit 2).
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { startServer } from '../../src/server.js';
import { makeApiKeys } from '../helpers/auth.js';
import { modelDeploymentExamples, withFreshDates, type Json } from '../helpers/admission.js';
import { runCli } from '../helpers/cli.js';
import { testConfig } from '../helpers/config.js';
import { repoRoot } from '../helpers/deploy.js';

const policies = join(repoRoot, 'policies');
const fixtures = join(repoRoot, 'test', 'fixtures', 'gate');
const tmp = mkdtempSync(join(tmpdir(), 'pdp-gate-'));
const gate = (args: string[]) => runCli(['gate', 'model-deployment', ...args], repoRoot);

/** A fixture with its dates moved to eight days ago (withFreshDates). */
function freshFixture(name: string): string {
  const out = join(tmp, `fresh-${name}`);
  writeFileSync(out, withFreshDates(readFileSync(join(fixtures, name), 'utf8')));
  return out;
}
const MLFLOW_TARGET = ['-e', 'prod', '--exposure', 'customer_facing', '--region', 'eu-west-1', '--cluster', 'prod-eu-west-1-a', '--roles', 'ml-engineer'];
const SAGEMAKER_TARGET = ['-e', 'staging', '--exposure', 'partner', '--region', 'eu-central-1', '--roles', 'ml-engineer'];

t.test('every example: exit 0 for allow, 1 for deny, with a readable summary', async (t) => {
  for (const ex of modelDeploymentExamples()) {
    const r = await gate([ex.file, '-b', policies]);
    const old = ex.expectAllow && r.code === 1 && /^ {2}reason {6}STALE_EVALUATION/m.test(r.out) && !/^ {2}reason {6}(?!STALE_EVALUATION)/m.test(r.out);
    const expected = ex.expectAllow && !old;
    t.equal(r.code, expected ? 0 : 1, `${ex.name}: exit ${expected ? 0 : 1}${old ? ' (aged: STALE_EVALUATION only)' : ''}`);
    t.match(r.out, new RegExp(`^${expected ? 'ALLOW' : 'DENY'}  ${ex.body.model.name} ${ex.body.model.version} → ${ex.body.deployment.environment}`));
    t.match(r.out, /\(decision [0-9a-f-]{36}\)/, `${ex.name}: names the decision`);
    if (!expected) t.match(r.out, /\n {2}reason {6}[A-Z_]+ \[AIGOV-[A-Z]+-\d+\]: /, `${ex.name}: each reason with its control id`);
  }
});

t.test('a YAML request, and flags overriding its target', async (t) => {
  const ex = modelDeploymentExamples().find((e) => e.name === 'tier1-prod-fraud-scorer')!;
  const file = join(tmp, 'release.yaml');
  writeFileSync(file, toYaml(ex.body));
  t.equal((await gate([file, '-b', policies])).code, 0, 'YAML is read like JSON');
  const r = await gate([file, '-b', policies, '--environment', 'production']);
  t.equal(r.code, 1, 'an unknown environment from the flag is denied');
  t.match(r.out, /production/);
});

t.test('MLflow model version: tags carry the governance fields; status and aliases shown', async (t) => {
  const file = freshFixture('mlflow-model-version.json');
  const r = await gate(['--from', 'mlflow', file, '-b', policies, ...MLFLOW_TARGET]);
  t.equal(r.code, 0, r.out);
  t.match(r.out, /^ALLOW {2}fraud-scorer 3\.2\.0 → prod \(customer_facing\)/, 'the semantic version tag wins over the registry version number');
  t.match(r.out, /registry: MLflow READY, aliases champion, run 8d2c0f4b5e6a4f1c9b7d3e2a1f0c9b8a/);
  t.match(r.out, /valid until \d{4}-\d\d-\d\dT/, 'valid_until');

  const mv = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const variant = (name: string, change: (m: Json) => void): string => {
    const copy = structuredClone(mv);
    change(copy.model_version);
    const f = join(tmp, name);
    writeFileSync(f, JSON.stringify(copy));
    return f;
  };
  const pending = await gate(['--from', 'mlflow', variant('pending.json', (m) => (m.status = 'PENDING_REGISTRATION')), '-b', policies, ...MLFLOW_TARGET]);
  t.equal(pending.code, 2, 'a version that is not READY cannot be decided');
  t.match(pending.out, /status is PENDING_REGISTRATION, not READY/);
  const badTag = await gate([
    '--from',
    'mlflow',
    variant('bad-tag.json', (m) => (m.tags.find((x: Json) => x.key === 'risk-tier').value = 'one')),
    '-b',
    policies,
    ...MLFLOW_TARGET,
  ]);
  t.equal(badTag.code, 2);
  t.match(badTag.out, /MLflow tag risk-tier: must be a non-negative integer/, 'names the tag');
  const unsigned = await gate([
    '--from',
    'mlflow',
    variant('unsigned.json', (m) => (m.tags.find((x: Json) => x.key === 'artifact-signed').value = 'false')),
    '-b',
    policies,
    ...MLFLOW_TARGET,
  ]);
  t.equal(unsigned.code, 1, 'an unsigned tier-1 artifact for prod is denied');
  t.match(unsigned.out, /AIGOV-SUP/);
  const noEnv = await gate(['--from', 'mlflow', file, '-b', policies]);
  t.equal(noEnv.code, 2, 'the target is not in the registry: --environment is required');
  t.match(noEnv.err, /needs --environment/);
  const notMv = await gate(['--from', 'mlflow', join(repoRoot, 'package.json'), '-b', policies, '-e', 'prod']);
  t.equal(notMv.code, 2, 'a file that is no model version');
});

t.test('SageMaker model package: metadata properties, ModelApprovalStatus', async (t) => {
  const file = freshFixture('sagemaker-describe-model-package.json');
  const r = await gate(['--from', 'sagemaker', file, '-b', policies, ...SAGEMAKER_TARGET]);
  t.equal(r.code, 0, r.out);
  t.match(r.out, /^ALLOW {2}contract-clause-tagger 2\.1\.0 → staging \(partner\)/);
  t.match(r.out, /registry: SageMaker ModelApprovalStatus PendingManualApproval/);
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const rejected = join(tmp, 'rejected.json');
  writeFileSync(rejected, JSON.stringify({ ...pkg, ModelApprovalStatus: 'Rejected' }));
  const rj = await gate(['--from', 'sagemaker', rejected, '-b', policies, ...SAGEMAKER_TARGET]);
  t.equal(rj.code, 1, 'a package the registry rejected is denied');
  t.match(rj.out, /Rejected in the SageMaker model registry/);
  const dataSource = join(tmp, 'data-source.json');
  const viaSource = structuredClone(pkg);
  const uri = viaSource.InferenceSpecification.Containers[0].ModelDataUrl;
  delete viaSource.InferenceSpecification.Containers[0].ModelDataUrl;
  viaSource.InferenceSpecification.Containers[0].ModelDataSource = { S3DataSource: { S3Uri: uri, S3DataType: 'S3Prefix', CompressionType: 'None' } };
  writeFileSync(dataSource, JSON.stringify(viaSource));
  t.equal(
    (await gate(['--from', 'sagemaker', dataSource, '-b', policies, ...SAGEMAKER_TARGET])).code,
    0,
    'ModelDataSource.S3DataSource.S3Uri is the artifact too',
  );
  const prod = await gate(['--from', 'sagemaker', file, '-b', policies, '-e', 'prod', '--exposure', 'customer_facing', '--region', 'eu-west-1']);
  t.equal(prod.code, 1, 'the same package for customer-facing prod is denied (tier, approvals)');
});

t.test('formats: json, junit, sarif, markdown', async (t) => {
  const deny = modelDeploymentExamples().find((e) => e.name === 'unapproved-registry')!;
  const json = await gate([deny.file, '-b', policies, '-f', 'json']);
  t.equal(json.code, 1);
  const doc = JSON.parse(json.out) as Json;
  t.equal(doc.verdict, 'deny');
  t.equal(doc.decision.allow, false);
  t.match(doc.decision.reasons[0], { code: 'UNAPPROVED_REGISTRY', control: 'AIGOV-REG-01' });

  const junit = await gate([deny.file, '-b', policies, '-f', 'junit']);
  t.equal(junit.code, 1);
  t.match(junit.out, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="pdp gate" tests="2" failures="2" errors="0">/);
  t.match(junit.out, /<testcase classname="pdp\.gate" name="AIGOV-REG-01"><failure type="UNAPPROVED_REGISTRY" message="UNAPPROVED_REGISTRY \[AIGOV-REG-01\]: /);

  const sarif = JSON.parse((await gate([deny.file, '-b', policies, '-f', 'sarif'])).out) as Json;
  t.equal(sarif.version, '2.1.0');
  t.equal(sarif.runs[0].tool.driver.name, 'pdp gate');
  t.same(
    sarif.runs[0].tool.driver.rules.map((r: Json) => r.id),
    ['AIGOV-REG-01'],
    'one rule per control',
  );
  t.equal(sarif.runs[0].results.length, 2, 'one result per reason');
  t.match(sarif.runs[0].results[0], { ruleId: 'AIGOV-REG-01', level: 'error', locations: [{ physicalLocation: { artifactLocation: { uri: deny.file } } }] });

  const md = await gate([deny.file, '-b', policies, '-f', 'markdown']);
  t.match(md.out, /^### ❌ Model release gate: \*\*deny\*\* — fraud-scorer 3\.2\.0 → prod \(customer_facing\)\n\n\| Code \| Control \| Message \|/);
  const allow = modelDeploymentExamples().find((e) => e.name === 'exception-applied-churn-predictor')!;
  const mdAllow = await gate([allow.file, '-b', policies, '-f', 'markdown']);
  t.match(mdAllow.out, /- Exception applied: EXC-2026-014 \[AIGOV-EVAL-02\], expires 2031-06-30T00:00:00Z/);
  t.match(mdAllow.out, /- Obligation: enforce_compensating_controls/);
  const junitAllow = await gate([allow.file, '-b', policies, '-f', 'junit']);
  t.match(junitAllow.out, /tests="1" failures="0" errors="0"/);
  t.equal((await gate([allow.file, '-b', policies, '-f', 'yaml'])).code, 2, 'unknown format');
});

t.test('--url: a running service, with an API key', async (t) => {
  const { keys, env } = makeApiKeys({ pipeline: ['decide:model-deployment'], reader: ['decide:model-deployment', 'decisions:read'] });
  const s = await startServer(testConfig({ PDP_BUNDLE_PATH: policies, PDP_BUNDLE_WATCH: 'false', PDP_AUTH_API_KEYS: env }));
  t.teardown(() => s.close());
  for (const ex of modelDeploymentExamples().slice(0, 4)) {
    const r = await gate([ex.file, '--url', s.url, '--token', keys.pipeline!]);
    t.equal(r.code, ex.expectAllow ? 0 : 1, `${ex.name} via the service`);
  }
  const tokenFile = join(tmp, 'token');
  writeFileSync(tokenFile, `${keys.pipeline!}\n`);
  const ex = modelDeploymentExamples()[0]!;
  t.equal((await gate([ex.file, '--url', s.url, '--token-file', tokenFile])).code, ex.expectAllow ? 0 : 1, '--token-file');
  const none = await gate([ex.file, '--url', s.url]);
  t.equal(none.code, 2, 'no credential: could not decide');
  t.match(none.out, /HTTP 401/);
  const bad = await gate([ex.file, '--url', s.url, '--token', 'pdp_nope']);
  t.equal(bad.code, 2);
  const down = await gate([ex.file, '--url', 'http://127.0.0.1:9', '--timeout', '2000']);
  t.equal(down.code, 2, 'unreachable: could not decide');
  t.match(down.out, /UNDECIDED/);
  const fmt = JSON.parse((await gate([ex.file, '--url', s.url, '--token', keys.reader!, '-f', 'json'])).out) as Json;
  t.equal(typeof fmt.decision.decision_id, 'string', 'the service decision');
});

t.test('input that cannot be decided: exit 2', async (t) => {
  const notRequest = join(tmp, 'not-request.json');
  writeFileSync(notRequest, JSON.stringify({ model: { name: 'x' } }));
  const r = await gate([notRequest, '-b', policies]);
  t.equal(r.code, 2);
  t.match(r.out, /not a valid model-deployment request/);
  const broken = join(tmp, 'broken.json');
  writeFileSync(broken, '{"model": [');
  t.equal((await gate([broken, '-b', policies])).code, 2, 'unparseable');
  t.equal((await gate([join(tmp, 'missing.json'), '-b', policies])).code, 2, 'missing file');
  t.equal((await gate([notRequest])).code, 2, 'neither -b nor --url');
  t.equal((await gate([notRequest, '-b', policies, '--url', 'http://x'])).code, 2, 'both -b and --url');
  t.equal((await runCli(['gate', 'tool-call', notRequest, '-b', policies], repoRoot)).code, 2, 'unknown gate');
  const ex = modelDeploymentExamples()[0]!;
  const badBundle = await gate([ex.file, '-b', join(tmp, 'no-such-bundle')]);
  t.equal(badBundle.code, 2, 'a bundle that does not load');
});
