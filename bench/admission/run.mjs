// Admission webhook cost: one AdmissionReview (POST /v1/admission/model-deployment, the release
// wrapped as a KServe InferenceService) against the same release through its own endpoint
// (POST /v1/decisions/model-deployment), in one run, on one server process (compiled dist/, as
// `npm start` runs it, loopback, no authentication). Two servers: cache off (every request
// evaluated) and the default in-process cache (every body repeats: hits). The routes are measured
// interleaved (endpoint, admission, endpoint, …) with autocannon in this process; medians of
// BENCH_RUNS runs. Reported per server: req/s of each route, the server's CPU µs per request
// (from /proc; steadier than req/s on a shared machine), and the cost ratio admission / endpoint
// (by CPU per request, and by 1/req/s). Target: ≤ 1.20.
//
//   npm run build && node bench/admission/run.mjs      BENCH_DURATION=8 BENCH_RUNS=3 BENCH_CONNECTIONS=10
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { treeCpuUs } from '../lib/proc-cpu.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const PREFIX = 'pdp.ai-governance.io/';

const dir = `${ROOT}examples/model-deployment`;
const EXAMPLES = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f.replace(/\.(allow|deny)\.json$/, ''), body: JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) }));

/** The release as an InferenceService in an AdmissionReview (the mapping docs/admission.md describes). */
function review(ex, i) {
  const m = ex.body.model;
  const a = {};
  const put = (k, v) => v !== undefined && (a[PREFIX + k] = typeof v === 'string' ? v : JSON.stringify(v));
  put('name', m.name);
  put('version', m.version);
  put('registry', m.registry);
  put('artifact-digest', m.artifact?.digest);
  put('artifact-signed', m.artifact?.signed);
  put('license', m.license);
  put('owner', m.owner);
  put('risk-tier', m.risk_tier);
  put('data-classification', m.data_classification);
  put('intended-use', m.intended_use);
  put('retention-days', m.retention_days);
  put('evaluation', m.evaluation);
  put('approvals', ex.body.approvals);
  const gvk = { group: 'serving.kserve.io', version: 'v1beta1', kind: 'InferenceService' };
  const gvr = { group: 'serving.kserve.io', version: 'v1beta1', resource: 'inferenceservices' };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `bench-${i}`,
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      name: m.name,
      namespace: ex.name,
      operation: 'CREATE',
      userInfo: { username: ex.body.requester.id, groups: ex.body.requester.roles },
      object: {
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        metadata: { name: m.name, namespace: ex.name, annotations: a },
        spec: { predictor: { model: { modelFormat: { name: 'sklearn' }, storageUri: m.artifact?.uri } } },
      },
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

const NAMESPACES = Object.fromEntries(
  EXAMPLES.map((ex) => {
    const d = ex.body.deployment;
    return [ex.name, { environment: d.environment, exposure: d.exposure, region: d.region, cluster: d.cluster }];
  }),
);
// The endpoint gets the very request the webhook maps to (namespace included), so both ask the same.
const ENDPOINT_BODIES = EXAMPLES.map((ex) => JSON.stringify({ ...ex.body, deployment: { ...ex.body.deployment, namespace: ex.name } }));
const ADMISSION_BODIES = EXAMPLES.map((ex, i) => JSON.stringify(review(ex, i)));

const ROUTES = [
  { key: 'endpoint', path: '/v1/decisions/model-deployment', bodies: ENDPOINT_BODIES },
  { key: 'admission', path: '/v1/admission/model-deployment', bodies: ADMISSION_BODIES },
];

function startServer(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/http/pdp-server.mjs'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PDP_HOST: '127.0.0.1',
        PDP_PORT: '0',
        PDP_LOG_LEVEL: 'warn',
        PDP_DECISION_LOG_STDOUT: 'false',
        PDP_ADMISSION_NAMESPACES: JSON.stringify(NAMESPACES),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let tail = '';
    child.stderr.on('data', (b) => {
      tail += b.toString();
      const line = tail.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve({ url: JSON.parse(line).url, pid: child.pid, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${tail}`)));
  });
}

function cannon(url, route, duration) {
  const requests = route.bodies.map((body) => ({ method: 'POST', path: route.path, headers: { 'content-type': 'application/json' }, body }));
  return new Promise((resolve, reject) => autocannon({ url, connections: CONNECTIONS, duration, requests }, (err, r) => (err ? reject(err) : resolve(r))));
}

/** Same verdicts both ways, or the bench is not comparing like with like. */
async function check(url) {
  for (let i = 0; i < EXAMPLES.length; i++) {
    const e = await (
      await fetch(`${url}${ROUTES[0].path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ENDPOINT_BODIES[i] })
    ).json();
    const a = await (
      await fetch(`${url}${ROUTES[1].path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ADMISSION_BODIES[i] })
    ).json();
    if (a.response?.allowed !== e.allow || !a.response.auditAnnotations?.['decision-id']) {
      throw new Error(`${EXAMPLES[i].name}: endpoint allow=${e.allow}, admission ${JSON.stringify(a.response)}`);
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(label, env) {
  const server = await startServer(env);
  try {
    await check(server.url);
    for (const r of ROUTES) await cannon(server.url, r, WARMUP);
    const res = Object.fromEntries(ROUTES.map((r) => [r.key, { rps: [], cpu: [] }]));
    for (let run = 0; run < RUNS; run++) {
      for (const r of ROUTES) {
        const c0 = treeCpuUs(server.pid);
        const out = await cannon(server.url, r, DURATION);
        const c1 = treeCpuUs(server.pid);
        if (out.non2xx || out.errors || out.timeouts)
          throw new Error(`${label} ${r.key}: ${out.non2xx} non-2xx, ${out.errors} errors, ${out.timeouts} timeouts`);
        res[r.key].rps.push(out.requests.average);
        if (c0 !== null && c1 !== null) res[r.key].cpu.push((c1 - c0) / out.requests.total);
      }
    }
    const e = res.endpoint;
    const a = res.admission;
    const row = {
      server: label,
      endpoint_rps: Math.round(median(e.rps)),
      admission_rps: Math.round(median(a.rps)),
      endpoint_cpu_us: e.cpu.length ? Math.round(median(e.cpu)) : null,
      admission_cpu_us: a.cpu.length ? Math.round(median(a.cpu)) : null,
      ratio_by_rps: +(median(e.rps) / median(a.rps)).toFixed(3),
      ratio_by_cpu: e.cpu.length ? +(median(a.cpu) / median(e.cpu)).toFixed(3) : null,
    };
    return row;
  } finally {
    await server.stop();
  }
}

const rows = [await measure('cache off', { PDP_CACHE_ENABLED: 'false' }), await measure('cache on (in-process hits)', {})];
console.log(`admission review vs its own endpoint — ${EXAMPLES.length} releases rotating, ${CONNECTIONS} connections, ${RUNS}×${DURATION}s each, medians`);
console.table(rows);
for (const r of rows) {
  const ratio = r.ratio_by_cpu ?? r.ratio_by_rps;
  console.log(`${r.server}: admission costs ${ratio}× the endpoint (target ≤ 1.20): ${ratio <= 1.2 ? 'met' : 'NOT met'}`);
}
