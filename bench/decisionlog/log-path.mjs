// The decision log's per-record path in one process, as DecisionLog.log runs it after an answer:
// a fresh record (as toLogRecord builds it) masked by the default bundle's mask (computed
// natively, handed over to be masked in place where the build supports it), its JSON written, and
// kept in the record store (10,000 records, the default bound). Every examples/tool-call body
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
const { recordJson } = await imp('decisionlog/record-json.js');

const { files } = await readDirectory(join(here, 'policies'), DEFAULT_BUNDLE_LIMITS);
const set = (await activate(null, await prepareBundle('ai-governance', files, null))).set;
const dir = join(here, 'examples', 'tool-call');
const bodies = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
const results = bodies.map((b) => set.evaluate('ai/tools/decision', b).result);
const masker = new Masker({ policyMask: policyMaskFrom(() => set) });
const store = new RecordStore({ maxEntries: 10_000, maxBytes: 64 << 20, retentionMs: 600_000 });

let n = 0;
function record(i) {
  const input = bodies[i % bodies.length];
  const result = results[i % bodies.length];
  n++;
  return {
    decision_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    timestamp: '2026-12-03T10:00:00.000Z',
    path: 'ai/tools/decision',
    kind: 'tool-call',
    caller: null,
    caller_auth: 'none',
    peer_address: '10.0.0.7',
    input,
    result,
    allow: result.allow ?? null,
    outcome: 'decided',
    reasons: result.reasons ?? [],
    obligations: result.obligations ?? [],
    exceptions_applied: result.exceptions_applied ?? [],
    bundles: { 'ai-governance': { revision: 'ai-governance-2026.12.03.1' } },
    engine: 'rego',
    cached: false,
    cache_tier: null,
    latency_ms: 0.4,
    trace_id: null,
    span_id: null,
    raw: false,
    labels: { id: 'bench' },
    req_id: n,
    metrics: { timer_server_handler_ns: 400_000 },
  };
}

function loop(k) {
  let bytes = 0;
  for (let i = 0; i < k; i++) {
    // The third argument hands the record over (builds before it ignore it and copy).
    const r = masker.mask(record(i), undefined, true);
    bytes += recordJson(r).length;
    store.put(r);
  }
  return bytes;
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
