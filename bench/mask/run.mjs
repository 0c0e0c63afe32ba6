// Benchmark: the decision log's policy mask (data.system.log.mask) on realistic records, old
// mask.rego against the current one in the same process, and the current one computed natively
// (src/decisionlog/mask/default-mask.ts, as the service runs it by default). Each variant is the default bundle
// (policies/) copied to a temporary directory, with the old variant's system/log/mask.rego taken
// from a git revision, and loaded as the service loads a bundle directory (readDirectory →
// prepareBundle → activate); the decision log's Masker then masks with policyMaskFrom over that
// policy set, as src/plugins/decision-log.ts wires it.
//
// Records: every examples/tool-call/*.json body (path ai/tools/decision) and every
// examples/model-deployment/*.json body (ai/deployment/decision) as `input`, with the decision
// document the bundle itself returns for it as `result`. Prints the median CPU µs per record
// (process.cpuUsage, user + system; Masker.mask(), the policy evaluation and applying its rules)
// of RUNS runs of ITER records each, after a warm-up; the runs alternate between the variants.
//
// Run: npm run build && node bench/mask/run.mjs [old-revision]   (measures the compiled code in dist/)
// The old revision defaults to b210661, the last commit with the hand-written traversal.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { activate, prepareBundle } from '../../dist/bundles/activate.js';
import { DEFAULT_BUNDLE_LIMITS } from '../../dist/bundles/limits.js';
import { readDirectory } from '../../dist/bundles/read-dir.js';
import { Masker } from '../../dist/decisionlog/mask/masker.js';
import { policyMaskFrom } from '../../dist/decisionlog/mask/policy-mask.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const oldRev = process.argv[2] ?? 'b210661';
const MASK_FILE = 'policies/system/log/mask.rego';
const RUNS = 5;
const ITER = 5000;
const WARMUP = 1000;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function loadSet(dir) {
  const { files } = await readDirectory(dir, DEFAULT_BUNDLE_LIMITS);
  const snapshot = await activate(null, await prepareBundle('ai-governance', files, null));
  return snapshot.set;
}

const tmp = mkdtempSync(join(tmpdir(), 'mask-bench-'));
try {
  const oldDir = join(tmp, 'old');
  const newDir = join(tmp, 'new');
  cpSync(join(repo, 'policies'), oldDir, { recursive: true });
  cpSync(join(repo, 'policies'), newDir, { recursive: true });
  writeFileSync(join(oldDir, 'system', 'log', 'mask.rego'), execFileSync('git', ['show', `${oldRev}:${MASK_FILE}`], { cwd: repo }));

  const variants = [
    { name: `old (${oldRev})`, set: await loadSet(oldDir) },
    { name: 'new (working tree)', set: await loadSet(newDir) },
  ];
  const reference = variants[1].set;

  const KINDS = [
    { kind: 'tool-call', path: 'ai/tools/decision' },
    { kind: 'model-deployment', path: 'ai/deployment/decision' },
  ];

  for (const { kind, path } of KINDS) {
    const dir = join(repo, 'examples', kind);
    const records = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f, i) => {
        const input = JSON.parse(readFileSync(join(dir, f), 'utf8'));
        const out = reference.evaluate(path, input);
        if (!out.ok || !out.defined) throw new Error(`${kind}/${f}: no decision`);
        return {
          decision_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          timestamp: '2026-12-03T10:00:00.000Z',
          path,
          kind,
          caller: 'gateway',
          caller_auth: 'api_key',
          peer_address: '10.0.0.7',
          input,
          result: out.result,
          allow: out.result.allow ?? null,
          outcome: out.result.allow ? 'allow' : 'deny',
          reasons: out.result.reasons ?? [],
          obligations: out.result.obligations ?? [],
          exceptions_applied: out.result.exceptions_applied ?? [],
          bundles: { 'ai-governance': { revision: 'ai-governance-2026.12.03.1' } },
          engine: 'rego',
          cached: false,
          cache_tier: null,
          latency_ms: 0.4,
          trace_id: null,
          span_id: null,
          raw: false,
        };
      });

    // The Rego of each variant, evaluated; and the working tree's mask as the service runs it
    // (the default mask program computed natively: decision_log.native_mask).
    const maskers = [
      ...variants.map((v) => ({ name: v.name, masker: new Masker({ policyMask: policyMaskFrom(() => v.set, { native: false }) }) })),
      { name: 'new, native', masker: new Masker({ policyMask: policyMaskFrom(() => reference) }) },
    ];

    // Every mask must agree on every record (the rewrites change no output for these inputs).
    const [a, ...others] = maskers.map((m) => records.map((r) => JSON.stringify(m.masker.mask(r))));
    for (const b of others) for (let i = 0; i < records.length; i++) if (a[i] !== b[i]) throw new Error(`${kind} record ${i}: the masks differ`);
    for (const m of maskers) {
      for (const r of records) {
        const out = m.masker.mask(r);
        if (out.mask_error !== undefined || !Array.isArray(out.masked)) throw new Error(`${m.name}: ${kind} not masked: ${out.mask_error}`);
      }
    }

    let sink = 0;
    const loop = (masker, n) => {
      for (let i = 0; i < n; i++) sink += masker.mask(records[i % records.length]).reasons.length;
    };
    for (const m of maskers) loop(m.masker, WARMUP);
    // Runs interleaved across the variants, so drift (frequency, other load) hits all alike.
    const runs = new Map(maskers.map((m) => [m.name, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const m of maskers) {
        const c0 = process.cpuUsage();
        loop(m.masker, ITER);
        const c = process.cpuUsage(c0);
        runs.get(m.name).push((c.user + c.system) / ITER);
      }
    }
    console.log(`${kind}: ${records.length} records, ${ITER} per run, median of ${RUNS} runs (µs/record)`);
    for (const m of maskers) {
      const xs = runs.get(m.name);
      console.log(`  ${m.name.padEnd(20)} ${median(xs).toFixed(1).padStart(7)}   (runs: ${xs.map((x) => x.toFixed(1)).join(', ')})`);
    }
    if (sink < 0) console.log(sink);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
