// The admission webhook end to end, the way the API server reaches it: real AdmissionReview v1
// JSON over HTTPS (a test CA made with openssl, the server's certificate from files) to a
// listening service on the repository's policies, authenticated with an API key. Each kind
// (InferenceService, Deployment, StatefulSet, Pod), CREATE / UPDATE / DELETE, dry runs, objects
// without a model, and a namespace in each mode. Every answer is checked against
// schemas/admission-review-response.json and, when decided, against the audit record.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server.js';
import { call, hasOpenssl, makeApiKeys, makePki, type HttpResult, type Pki } from '../helpers/auth.js';
import {
  ADMISSION_PATH,
  PREFIX,
  aged,
  clusterDataConfig,
  inferenceService,
  namespaceObject,
  recordFor,
  targetLabels,
  modelDeploymentExamples,
  responseProblems,
  review,
  workload,
  type Json,
} from '../helpers/admission.js';
import { testConfig } from '../helpers/config.js';
import { repoRoot } from '../helpers/deploy.js';

// Without the openssl CLI no certificates can be made here: the HTTPS tests are skipped, saying why.
const skip = hasOpenssl() ? false : 'the openssl CLI is needed to make the test CA and certificates, and is not installed';
const pki = skip ? (undefined as unknown as Pki) : makePki([]);

const examples = modelDeploymentExamples();
const allowEx = examples.find((e) => e.name === 'tier1-prod-fraud-scorer')!;
const denyEx = examples.find((e) => e.name === 'unapproved-registry')!;
const target = (e: typeof allowEx): Record<string, string> => {
  const d = e.body.deployment;
  return { environment: d.environment, exposure: d.exposure, region: d.region, cluster: d.cluster };
};
const NAMESPACES = {
  'ml-labelled': target(allowEx),
  'ml-enforce': { ...target(allowEx), mode: 'enforce' },
  'ml-warn': { ...target(allowEx), mode: 'warn' },
  'ml-audit': { ...target(allowEx), mode: 'audit' },
};
const { keys, env: apiKeys } = makeApiKeys({ 'kube-apiserver': ['decide:model-deployment'], auditor: ['decisions:read', 'metrics:read'] });

let server: RunningServer;
t.before(async () => {
  if (skip) return;
  server = await startServer(
    testConfig({
      PDP_BUNDLE_PATH: join(repoRoot, 'policies'),
      PDP_BUNDLE_WATCH: 'false',
      PDP_TLS_CERT_FILE: pki.server.certFile,
      PDP_TLS_KEY_FILE: pki.server.keyFile,
      PDP_AUTH_API_KEYS: apiKeys,
      PDP_ADMISSION_NAMESPACES: JSON.stringify(NAMESPACES),
    }),
  );
});
t.teardown(() => server?.close());

const tls = (): { ca: string } => ({ ca: pki.ca.cert });

async function admit(body: unknown, key = keys['kube-apiserver']!, query = '?timeout=5s'): Promise<HttpResult & { response: Json }> {
  // The API server adds ?timeout=<timeoutSeconds>s to every webhook call.
  const r = await call(`${server.url}${ADMISSION_PATH}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
    tls: tls(),
  });
  return { ...r, response: (r.json as Json)?.response };
}

/** The answer is a valid AdmissionReview response for this request. */
function checkShape(t: Test, r: HttpResult & { response: Json }, req: Json): void {
  t.equal(r.status, 200, 'the webhook answers 200 (the verdict is in the body)');
  t.equal(responseProblems(r.json), null, 'a valid admission.k8s.io/v1 AdmissionReview response');
  t.equal(r.response?.uid, req.request.uid, 'uid copied from the request');
}

async function record(t: Test, id: string): Promise<Json> {
  // The record is written right after the answer; a lookup that follows finds it.
  const r = await call(`${server.url}/v1/decisions/${id}`, { headers: { authorization: `Bearer ${keys.auditor!}` }, tls: tls() });
  t.equal(r.status, 200, `record ${id} is kept`);
  return r.json;
}

async function decisionsTotal(): Promise<number> {
  const r = await call(`${server.url}/metrics`, { headers: { authorization: `Bearer ${keys.auditor!}` }, tls: tls() });
  let n = 0;
  for (const line of r.text.split('\n')) if (line.startsWith('pdp_decisions_total{')) n += Number(line.split(' ').pop());
  return n;
}

t.test('CREATE of each kind is decided by the policy, with the decision id and bundle revision', { skip }, async (t) => {
  const objects: Array<[string, Json]> = [
    ['InferenceService', inferenceService(allowEx.body, 'ml-enforce')],
    ['Deployment', workload('Deployment', allowEx.body, 'ml-enforce')],
    ['StatefulSet', workload('StatefulSet', allowEx.body, 'ml-enforce')],
    ['Pod', workload('Pod', allowEx.body, 'ml-enforce')],
  ];
  for (const [kind, object] of objects) {
    for (const [ex, allowed] of [
      [allowEx, true],
      [denyEx, false],
    ] as const) {
      const obj = kind === 'InferenceService' ? inferenceService(ex.body, 'ml-enforce') : workload(kind as 'Pod', ex.body, 'ml-enforce');
      const req = review(kind as 'Pod', 'CREATE', { object: obj ?? object, namespace: 'ml-enforce' });
      const r = await admit(req);
      checkShape(t, r, req);
      const audit = r.response.auditAnnotations;
      const rec = await record(t, audit['decision-id']);
      t.ok(r.response.allowed === allowed || (allowed && aged(rec.reasons)), `${kind} ${ex.name}: allowed ${allowed}`);
      t.match(audit['decision-id'], /^[0-9a-f-]{36}$/, `${kind}: the decision id`);
      t.equal(audit['bundle-revisions'], 'main=ai-governance-2026.12.03.1', `${kind}: the bundle revision`);
      t.equal(audit.mode, 'enforce');
      if (!allowed) {
        t.equal(r.response.status.code, 403);
        t.equal(r.response.status.reason, 'Forbidden');
        t.match(r.response.status.message, /UNAPPROVED_REGISTRY \[AIGOV-REG-01\]/, `${kind}: the reason with its control id`);
        t.match(r.response.status.message, audit['decision-id'], 'the message names the decision');
      }
      t.equal(rec.allow, r.response.allowed, 'the audit record agrees');
      t.match(rec.origin, { protocol: 'admission', uid: req.request.uid, operation: 'CREATE', kind, namespace: 'ml-enforce', mode: 'enforce', dry_run: false });
      t.equal(rec.caller, 'kube-apiserver', 'the API server is the verified caller');
    }
  }
});

t.test('UPDATE: decided only when a model field changed', { skip }, async (t) => {
  const before = inferenceService(allowEx.body, 'ml-enforce');
  const sameModel = structuredClone(before);
  sameModel.metadata.labels = { team: 'risk' };
  sameModel.spec.predictor.minReplicas = 3;
  const n0 = await decisionsTotal();
  const req = review('InferenceService', 'UPDATE', { object: sameModel, oldObject: before, namespace: 'ml-enforce' });
  const r = await admit(req);
  checkShape(t, r, req);
  t.equal(r.response.allowed, true);
  t.equal(r.response.auditAnnotations.skipped, 'model-unchanged', 'not decided');
  t.match(r.response.auditAnnotations['decision-id'], /^[0-9a-f-]{36}$/, 'and still named by a decision id');
  t.equal(await decisionsTotal(), n0, 'and not counted or logged as a decision');

  const newVersion = structuredClone(before);
  newVersion.metadata.annotations[`${PREFIX}version`] = '3.3.0';
  const req2 = review('InferenceService', 'UPDATE', { object: newVersion, oldObject: before, namespace: 'ml-enforce' });
  const r2 = await admit(req2);
  checkShape(t, r2, req2);
  t.equal(r2.response.allowed, false, 'a new version without its evaluation is decided, and denied');
  t.match(r2.response.status.message, /EVAL/, 'the evaluation is of another version');

  const newUri = structuredClone(before);
  newUri.spec.predictor.model.storageUri = 's3://elsewhere/fraud-scorer';
  const r3 = await admit(review('InferenceService', 'UPDATE', { object: newUri, oldObject: before, namespace: 'ml-enforce' }));
  t.ok(r3.response.auditAnnotations['decision-id'], 'a changed storageUri is decided');

  const added = workload('Deployment', allowEx.body, 'ml-enforce');
  const r4 = await admit(review('Deployment', 'UPDATE', { object: added, oldObject: workload('Deployment', null, 'ml-enforce'), namespace: 'ml-enforce' }));
  t.ok(r4.response.auditAnnotations['decision-id'], 'annotations added to a Deployment that had none: decided');
});

t.test('every kind: UPDATE decided only on a model change, DELETE never, each answer with its decision id', { skip }, async (t) => {
  for (const kind of ['InferenceService', 'Deployment', 'StatefulSet', 'Pod'] as const) {
    const make = (body: Json): Json => (kind === 'InferenceService' ? inferenceService(body, 'ml-enforce') : workload(kind, body, 'ml-enforce'));
    const before = make(allowEx.body);
    const relabelled = structuredClone(before);
    relabelled.metadata.labels = { team: 'risk' };
    const same = review(kind, 'UPDATE', { object: relabelled, oldObject: before, namespace: 'ml-enforce' });
    const r1 = await admit(same);
    checkShape(t, r1, same);
    t.equal(r1.response.auditAnnotations.skipped, 'model-unchanged', `${kind} UPDATE, model unchanged: not decided`);
    const changed = review(kind, 'UPDATE', { object: make(denyEx.body), oldObject: before, namespace: 'ml-enforce' });
    const r2 = await admit(changed);
    checkShape(t, r2, changed);
    t.equal(r2.response.allowed, false, `${kind} UPDATE to another release: decided, denied`);
    t.equal((await record(t, r2.response.auditAnnotations['decision-id'])).origin.operation, 'UPDATE');
    const del = review(kind, 'DELETE', { oldObject: before, namespace: 'ml-enforce' });
    const r3 = await admit(del);
    checkShape(t, r3, del);
    t.equal(r3.response.auditAnnotations.skipped, 'operation:DELETE', `${kind} DELETE: allowed without a decision`);
  }
});

t.test('DELETE, objects without a model, other kinds, controller-owned Pods: allowed without a decision', { skip }, async (t) => {
  const n0 = await decisionsTotal();
  const cases: Array<[string, Json]> = [
    ['delete', review('InferenceService', 'DELETE', { oldObject: inferenceService(denyEx.body, 'ml-enforce'), namespace: 'ml-enforce' })],
    ['no-model', review('Deployment', 'CREATE', { object: workload('Deployment', null, 'ml-enforce'), namespace: 'ml-enforce' })],
    ['other kind', review('ConfigMap', 'CREATE', { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, namespace: 'ml-enforce' })],
  ];
  const owned = workload('Pod', denyEx.body, 'ml-enforce');
  owned.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'server-5d4f', uid: 'abc', controller: true }];
  cases.push(['owned pod', review('Pod', 'CREATE', { object: owned, namespace: 'ml-enforce' })]);
  for (const [name, req] of cases) {
    const r = await admit(req);
    checkShape(t, r, req);
    t.equal(r.response.allowed, true, `${name}: allowed`);
    t.ok(r.response.auditAnnotations.skipped, `${name}: says why no decision was needed (${r.response.auditAnnotations.skipped})`);
    const id = r.response.auditAnnotations['decision-id'];
    t.match(id, /^[0-9a-f-]{36}$/, `${name}: the answer carries a decision id`);
    const rec = await call(`${server.url}/v1/decisions/${id}`, { headers: { authorization: `Bearer ${keys.auditor!}` }, tls: tls() });
    t.equal(rec.status, 404, `${name}: no decision record under it`);
  }
  t.equal(await decisionsTotal(), n0, 'none of them counted or logged as a decision');
});

t.test('dryRun: decided, answered, and recorded as a dry run', { skip }, async (t) => {
  const req = review('InferenceService', 'CREATE', { object: inferenceService(denyEx.body, 'ml-enforce'), namespace: 'ml-enforce', dryRun: true });
  const r = await admit(req);
  checkShape(t, r, req);
  t.equal(r.response.allowed, false, 'a dry run gets the real verdict');
  t.equal(r.response.auditAnnotations['dry-run'], 'true');
  const rec = await record(t, r.response.auditAnnotations['decision-id']);
  t.equal(rec.origin.dry_run, true, 'the audit record says it was a dry run');
});

t.test('modes: enforce refuses, warn allows with the reasons as warnings, audit allows and records', { skip }, async (t) => {
  for (const mode of ['enforce', 'warn', 'audit'] as const) {
    const ns = `ml-${mode}`;
    const req = review('InferenceService', 'CREATE', { object: inferenceService(denyEx.body, ns), namespace: ns });
    const r = await admit(req);
    checkShape(t, r, req);
    t.equal(r.response.allowed, mode !== 'enforce', `${mode}: allowed ${mode !== 'enforce'}`);
    t.equal(r.response.auditAnnotations.mode, mode);
    t.equal(r.response.auditAnnotations['policy-allowed'], 'false', `${mode}: the policy's own verdict is in the audit annotations`);
    if (mode === 'warn') {
      t.match(r.response.warnings[0], /^warn mode: would be InferenceService ml-warn\/fraud-scorer/);
      t.ok(
        r.response.warnings.some((w: string) => /UNAPPROVED_REGISTRY \[AIGOV-REG-01\]/.test(w)),
        'each reason with its control id',
      );
      t.ok(
        r.response.warnings.every((w: string) => w.length <= 256),
        'warnings within the API server limit',
      );
    } else if (mode === 'audit') {
      t.notOk(r.response.warnings, 'audit: nothing shown to the user');
    }
    const rec = await record(t, r.response.auditAnnotations['decision-id']);
    t.equal(rec.allow, false, `${mode}: the record keeps the policy's deny`);
    t.equal(rec.origin.mode, mode);
  }
});

t.test("a namespace's label mode (the chart's per-mode webhooks, ?mode=) applies unless the namespace's own setting says otherwise", { skip }, async (t) => {
  for (const mode of ['enforce', 'warn', 'audit'] as const) {
    const r = await admit(
      review('InferenceService', 'CREATE', { object: inferenceService(denyEx.body, 'ml-labelled'), namespace: 'ml-labelled' }),
      undefined,
      `?timeout=5s&mode=${mode}`,
    );
    t.equal(r.response.auditAnnotations.mode, mode, `label ${mode}`);
    t.equal(r.response.allowed, mode !== 'enforce');
  }
  const own = await admit(
    review('InferenceService', 'CREATE', { object: inferenceService(denyEx.body, 'ml-enforce'), namespace: 'ml-enforce' }),
    undefined,
    '?mode=audit',
  );
  t.equal(own.response.auditAnnotations.mode, 'enforce', "the namespace's own setting wins over its label");
  t.equal(
    (
      await admit(
        review('InferenceService', 'CREATE', { object: inferenceService(denyEx.body, 'ml-enforce'), namespace: 'ml-enforce' }),
        undefined,
        '?mode=lenient',
      )
    ).status,
    400,
    'an unknown mode is refused',
  );
});

t.test('a namespace that is not a known deployment target is refused, not guessed', { skip }, async (t) => {
  const req = review('InferenceService', 'CREATE', { object: inferenceService(allowEx.body, 'scratch'), namespace: 'scratch' });
  const r = await admit(req);
  checkShape(t, r, req);
  t.equal(r.response.allowed, false);
  t.equal(r.response.status.code, 400);
  t.match(r.response.status.message, /NAMESPACE_NOT_MAPPED: namespace "scratch"/);
});

t.test('obligations and applied exceptions reach the user as warnings', { skip }, async (t) => {
  const ex = examples.find((e) => e.name === 'exception-applied-churn-predictor')!;
  const s = await startServer(
    testConfig({
      PDP_BUNDLE_PATH: join(repoRoot, 'policies'),
      PDP_BUNDLE_WATCH: 'false',
      PDP_TLS_CERT_FILE: pki.server.certFile,
      PDP_TLS_KEY_FILE: pki.server.keyFile,
      PDP_AUTH_MODE: 'none',
      PDP_ADMISSION_NAMESPACES: JSON.stringify({ partner: target(ex) }),
    }),
  );
  t.teardown(() => s.close());
  const req = review('InferenceService', 'CREATE', { object: inferenceService(ex.body, 'partner'), namespace: 'partner' });
  const r = await call(`${s.url}${ADMISSION_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req), tls: tls() });
  const res = (r.json as Json).response;
  t.equal(responseProblems(r.json), null);
  t.equal(res.allowed, true);
  t.equal(res.auditAnnotations['exceptions-applied'], 'EXC-2026-014');
  t.ok(
    res.warnings.some((w: string) => /^exception EXC-2026-014 applied to AIGOV-EVAL-02, expires 2031-06-30T00:00:00Z$/.test(w)),
    'the exception with its expiry',
  );
  t.ok(
    res.warnings.some((w: string) => w.startsWith('obligation ')),
    'the obligation',
  );
});

t.test('the webhook needs the caller to be authenticated and allowed', { skip }, async (t) => {
  const req = review('InferenceService', 'CREATE', { object: inferenceService(allowEx.body, 'ml-enforce'), namespace: 'ml-enforce' });
  const none = await call(`${server.url}${ADMISSION_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(req),
    tls: tls(),
  });
  t.equal(none.status, 401, 'no credential');
  const wrong = await admit(req, keys.auditor!);
  t.equal(wrong.status, 403, 'a caller without decide:model-deployment');
});

t.test('over HTTPS, the target and mode from replicated namespace labels and the model from a registry record', { skip }, async (t) => {
  const config = clusterDataConfig({
    kubeMgmt: {
      'ml-prod': namespaceObject('ml-prod', targetLabels(allowEx.body.deployment)),
      'ml-prod-warn': namespaceObject('ml-prod-warn', targetLabels(allowEx.body.deployment, 'warn')),
    },
    records: { 'fraud-scorer-3.2.0': recordFor(allowEx.body), 'unapproved-1.0': recordFor(denyEx.body) },
  });
  const s = await startServer(
    testConfig({ PDP_CONFIG: config, PDP_TLS_CERT_FILE: pki.server.certFile, PDP_TLS_KEY_FILE: pki.server.keyFile, PDP_AUTH_API_KEYS: apiKeys }),
  );
  t.teardown(() => s.close());
  const send = async (ns: string, id: string): Promise<HttpResult & { response: Json; req: Json }> => {
    const object = inferenceService(allowEx.body, ns);
    object.metadata.annotations = { [`${PREFIX}registry-record`]: id };
    const req = review('InferenceService', 'CREATE', { object, namespace: ns });
    const r = await call(`${s.url}${ADMISSION_PATH}?timeout=5s`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys['kube-apiserver']!}` },
      body: JSON.stringify(req),
      tls: tls(),
    });
    return { ...r, response: (r.json as Json)?.response, req };
  };
  const ok = await send('ml-prod', 'fraud-scorer-3.2.0');
  checkShape(t, ok, ok.req);
  t.ok(ok.response.allowed || ok.response.status.message.includes('STALE_EVALUATION'), 'the allowed release');
  t.equal(ok.response.auditAnnotations['namespace-source'], 'data.kubernetes.namespaces');
  t.equal(ok.response.auditAnnotations['registry-record'], 'fraud-scorer-3.2.0');
  t.match(ok.response.auditAnnotations['bundle-revisions'], /cluster=cluster-data-1/, 'the data bundle is among the revisions');
  const deny = await send('ml-prod', 'unapproved-1.0');
  checkShape(t, deny, deny.req);
  t.equal(deny.response.allowed, false);
  t.match(deny.response.status.message, /UNAPPROVED_REGISTRY \[AIGOV-REG-01\]/);
  const warned = await send('ml-prod-warn', 'unapproved-1.0');
  checkShape(t, warned, warned.req);
  t.equal(warned.response.auditAnnotations.mode, 'warn', 'the mode from the replicated label');
  t.equal(warned.response.allowed, true);
  const missing = await send('ml-prod', 'no-such-record');
  checkShape(t, missing, missing.req);
  t.equal(missing.response.allowed, false);
  t.equal(missing.response.auditAnnotations.refused, 'REGISTRY_RECORD_NOT_FOUND');
});
