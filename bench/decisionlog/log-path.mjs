// The decision log's per-record path in one process: DecisionLog.log, as the pipeline calls it
// after an answer — the log record built from the decision, masked by the default bundle's mask
// (computed natively), its JSON written and kept in the record store (10,000 records, the
// default bound); no sinks. Every examples/tool-call body
// with the decision the bundle returns for it. Prints the median CPU µs per record of 7 runs of
// 20,000 records after a warm-up. Give a checkout to measure its build (default: this one); to
// compare two builds, run it for each, alternating, several times — one process per build.
//
//   node bench/decisionlog/log-path.mjs [<checkout>]   (the checkout built: npm run build)
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('../../', import.meta.url));
const root = resolve(process.argv[2] ?? here);
const imp = (p) => import(join(root, 'dist', p));
const { activate, prepareBundle } = await imp('bundles/activate.js');
const { DEFAULT_BUNDLE_LIMITS } = await imp('bundles/limits.js');
const { readDirectory } = await imp('bundles/read-dir.js');
const { Masker } = await imp('decisionlog/mask/masker.js');
const { policyMaskFrom } = await imp('decisionlog/mask/policy-mask.js');
const { RecordStore } = await imp('decisionlog/record-store.js');
const { DecisionLog } = await imp('decisionlog/decision-log.js');

const { files } = await readDirectory(join(here, 'policies'), DEFAULT_BUNDLE_LIMITS);
const set = (await activate(null, await prepareBundle('ai-governance', files, null))).set;
const dir = join(here, 'examples', 'tool-call');
const bodies = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
const results = bodies.map((b) => set.evaluate('ai/tools/decision', b).result);
const REVISIONS = Object.freeze({ 'ai-governance': 'ai-governance-2026.12.03.1' });
const masker = new Masker({ policyMask: policyMaskFrom(() => set) });
const store = new RecordStore({ maxEntries: 10_000, maxBytes: 64 << 20, retentionMs: 600_000 });

const log = new DecisionLog({ sinks: [], masker, store, labels: { id: 'bench' }, buffer: { capacity: 10_000, batchSize: 100, maxDelayMs: 100 } });

let n = 0;
/** The pipeline's record of one decision (what DecisionLog.log receives). */
function decision(i) {
  const result = results[i % bodies.length];
  n++;
  return {
    decision_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    timestamp: '2026-12-03T10:00:00.000Z',
    kind: 'tool-call',
    path: 'ai/tools/decision',
    input: bodies[i % bodies.length],
    bundles: REVISIONS,
    outcome: 'decided',
    result,
    decision: {
      decision_id: '',
      allow: result.allow,
      reasons: result.reasons ?? [],
      obligations: result.obligations ?? [],
      exceptions_applied: result.exceptions_applied ?? [],
    },
    cached: false,
    engine: 'rego',
    duration_ms: 0.4,
    caller_auth: 'none',
    peer_address: '10.0.0.7',
    req_id: n,
    metrics: {},
  };
}

function loop(k) {
  let kept = 0;
  for (let i = 0; i < k; i++) if (log.log(decision(i)) !== undefined) kept++;
  return kept;
}

const ITER = 20_000;
loop(ITER);
const xs = [];
for (let r = 0; r < 7; r++) {
  const c = process.cpuUsage();
  loop(ITER);
  const u = process.cpuUsage(c);
  xs.push((u.user + u.system) / ITER);
}
xs.sort((a, b) => a - b);
console.log(`${root}: ${xs[3].toFixed(2)} µs/record (runs: ${xs.map((x) => x.toFixed(1)).join(', ')})`);
