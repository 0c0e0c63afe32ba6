// The default policy bundle (policies/) end to end, with the real Rego engine:
//   1. every example request body in examples/ gets the outcome its file name promises
//      (`<case>.allow.json` → allow, `<case>.deny.json` → deny with at least one reason);
//   2. `pdp test policies/` passes, with at least 60 tests;
//   3. every control id listed in policies/README.md is exercised by at least one deny test.
//
// "Now" is pinned for the examples (EXAMPLES_NOW): model-deployment allow examples depend on
// evaluation freshness, which is the control working, not a flaky test. Tool-call decisions do
// not depend on time at all, which is checked too.
import t from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleBundle } from '../../src/bundles/assemble.js';
import { DEFAULT_BUNDLE_LIMITS } from '../../src/bundles/limits.js';
import { readDirectory } from '../../src/bundles/read-dir.js';
import { main as pdp } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { compile } from '../../src/rego/index.js';
import { toJSON } from '../../src/rego/value.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const policiesDir = path.join(repo, 'policies');
const examplesDir = path.join(repo, 'examples');

/** 2026-11-26T12:00:00Z, the date the examples were written against. */
const EXAMPLES_NOW = BigInt(Date.parse('2026-11-26T12:00:00Z')) * 1_000_000n;

const KINDS = [
  { dir: 'model-deployment', entrypoint: 'ai.deployment.decision', allowPath: 'ai.deployment.allow' },
  { dir: 'tool-call', entrypoint: 'ai.tools.decision', allowPath: 'ai.tools.allow' },
] as const;

interface Reason {
  code: string;
  control: string;
  message: string;
}
interface Decision {
  allow: boolean;
  reasons: Reason[];
  obligations: { type: string }[];
  exceptions_applied: { id: string; control: string; expires_at: string }[];
  valid_until?: string;
}

async function loadBundle() {
  const { files } = await readDirectory(policiesDir, { ...DEFAULT_BUNDLE_LIMITS });
  const bundle = assembleBundle('ai-governance', files);
  const policy = compile(
    bundle.modules.map((m) => ({ file: `policies/${m.path}`, source: m.source })),
    bundle.data,
  );
  return { bundle, policy };
}

t.test('the bundle is an OPA source bundle rooted at "ai" and "system/log"', async (t) => {
  const { bundle } = await loadBundle();
  t.same(bundle.manifest.roots, ['ai', 'system/log']);
  t.match(bundle.manifest.revision, /\S/);
  t.ok(bundle.modules.length > 10, 'has modules');
  t.ok(
    bundle.modules.every((m) => m.path.startsWith('ai/') || m.path.startsWith('system/log/')),
    'every module lives under ai/ or system/log/ (the decision-log mask)',
  );
});

t.test('every example gets the outcome in its name', async (t) => {
  const { policy } = await loadBundle();
  for (const kind of KINDS) {
    const dir = path.join(examplesDir, kind.dir);
    const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    const allows = names.filter((n) => n.endsWith('.allow.json'));
    const denies = names.filter((n) => n.endsWith('.deny.json'));
    t.equal(allows.length + denies.length, names.length, `${kind.dir}: every example is named <case>.allow.json or <case>.deny.json`);
    t.ok(names.length >= 8, `${kind.dir}: at least 8 examples (${names.length})`);
    t.ok(allows.length >= 1 && denies.length >= 1, `${kind.dir}: both outcomes are shown`);

    for (const name of names) {
      const input = JSON.parse(await readFile(path.join(dir, name), 'utf8'));
      const expectAllow = name.endsWith('.allow.json');
      const result = policy.evaluate(kind.entrypoint, { input, nowNs: EXAMPLES_NOW });
      t.ok(result.defined, `${kind.dir}/${name}: decision is defined`);
      const decision = toJSON(result.value!) as Decision;
      t.equal(decision.allow, expectAllow, `${kind.dir}/${name}: allow=${expectAllow}` + (expectAllow ? ` (reasons: ${JSON.stringify(decision.reasons)})` : ''));
      if (expectAllow) t.same(decision.reasons, [], `${kind.dir}/${name}: no reasons`);
      else t.ok(decision.reasons.length > 0, `${kind.dir}/${name}: a deny says why`);
      for (const r of decision.reasons) {
        t.ok(r.code && r.control && r.message, `${kind.dir}/${name}: reason ${r.code} has code, control and message`);
      }
      if (decision.valid_until !== undefined) {
        const until = BigInt(Date.parse(decision.valid_until)) * 1_000_000n;
        t.ok(until > EXAMPLES_NOW, `${kind.dir}/${name}: valid_until ${decision.valid_until} lies in the future`);
        t.ok(result.dependsOn.time, `${kind.dir}/${name}: a decision with valid_until is reported as time-dependent`);
      }
      if (kind.dir === 'tool-call') {
        t.notOk(result.dependsOn.time, `${kind.dir}/${name}: tool-call decisions do not read the clock`);
      }

      const allow = policy.evaluate(kind.allowPath, { input, nowNs: EXAMPLES_NOW });
      t.equal(allow.value, expectAllow, `${kind.dir}/${name}: data.${kind.allowPath} agrees`);
    }
  }
});

t.test('decisions that use the clock say so and carry valid_until', async (t) => {
  const { policy } = await loadBundle();
  const input = JSON.parse(await readFile(path.join(examplesDir, 'model-deployment/tier1-prod-fraud-scorer.allow.json'), 'utf8'));
  const r = policy.evaluate('ai.deployment.decision', { input, nowNs: EXAMPLES_NOW });
  t.ok(r.dependsOn.time, 'evaluation freshness reads time.now_ns');
  const decision = toJSON(r.value!) as Decision;
  // completed 2026-11-25T10:00:00Z + 90 days (tier 1)
  t.equal(decision.valid_until, '2027-02-23T10:00:00Z');
  // At valid_until the outcome indeed changes.
  const later = policy.evaluate('ai.deployment.decision', { input, nowNs: BigInt(Date.parse('2027-02-23T10:00:00Z')) * 1_000_000n });
  const after = toJSON(later.value!) as Decision;
  t.equal(after.allow, false);
  t.ok(after.reasons.some((x) => x.code === 'STALE_EVALUATION'));
});

function captureIO(): CliIO & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    cwd: repo,
    stdout: () => out,
    stderr: () => err,
  };
}

interface TestResult {
  package: string;
  name: string;
  fail?: boolean;
  skip?: boolean;
  error?: { code: string; message: string };
}

t.test('pdp test policies/ passes with at least 60 tests', async (t) => {
  const io = captureIO();
  const code = await pdp(['test', '--format', 'json', 'policies'], io);
  // OPA's `opa test --format json` shape: fail, error and skip are present only when set.
  const results = JSON.parse(io.stdout()) as TestResult[];
  const failed = results.filter((r) => r.fail === true || r.error !== undefined);
  t.same(
    failed.map((r) => `${r.package}.${r.name}${r.error ? `: ${r.error.code} ${r.error.message}` : ''}`),
    [],
    'no failing or erroring tests',
  );
  t.equal(code, 0, `exit code 0 (stderr: ${io.stderr()})`);
  const passed = results.filter((r) => !r.fail && !r.error && !r.skip).length;
  t.ok(passed >= 60, `at least 60 passing tests (${passed})`);
});

t.test('every control id in policies/README.md appears in at least one deny test', async (t) => {
  const readme = await readFile(path.join(policiesDir, 'README.md'), 'utf8');
  // Control ids in the first column of the controls tables: | `AIGOV-EVAL-02` | ...
  const ids = [...new Set([...readme.matchAll(/^\|\s*`?((?:AIGOV|AGT)-[A-Z]+(?:-\d+)?)`?\s*\|/gm)].map((m) => m[1]))];
  t.ok(ids.length >= 20, `README lists the controls (${ids.length})`);

  // Deny tests: test rules whose body asserts a denial (denied_by(…, "<control>", …)).
  const testSources: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('_test.rego')) testSources.push(await readFile(p, 'utf8'));
    }
  };
  await walk(policiesDir);
  const denyAssertions = new Set<string>();
  for (const src of testSources) {
    for (const m of src.matchAll(/denied_by\([^,]+,\s*"([A-Z0-9-]+)"/g)) denyAssertions.add(m[1]);
  }
  for (const id of ids) t.ok(denyAssertions.has(id), `${id} has a deny test`);
});

t.test("the README's curl excerpts show what the policies answer (reasons, obligations)", async (t) => {
  const { policy } = await loadBundle();
  const readme = await readFile(path.join(repo, 'README.md'), 'utf8');
  // `-d @examples/<kind>/<file>` (decision endpoint) or `$(cat examples/<kind>/<file>)` (Data API),
  // then the answer on the first line that starts with "{".
  const excerpts = [...readme.matchAll(/(?:-d @|\$\(cat )examples\/(model-deployment|tool-call)\/([\w.-]+\.json)[^\n]*\n(\{[^\n]*\})/g)];
  t.ok(excerpts.length >= 5, `${excerpts.length} excerpts`);
  for (const [, dir, file, answer] of excerpts) {
    const kind = KINDS.find((k) => k.dir === dir)!;
    const input = JSON.parse(await readFile(path.join(examplesDir, dir, file), 'utf8')) as unknown;
    const shown = JSON.parse(answer) as Partial<Decision> & { result?: Decision };
    const doc = shown.result ?? (shown as Decision);
    const actual = toJSON(policy.evaluate(kind.entrypoint, { input, nowNs: EXAMPLES_NOW }).value!) as Decision;
    t.equal(doc.allow, actual.allow, `${file}: allow`);
    t.same(doc.reasons, actual.reasons, `${file}: reasons as the README shows them`);
    t.same(doc.obligations, actual.obligations, `${file}: obligations as the README shows them`);
  }
});
