// What the webhook reads from bundle data (route contract, app.inject, the repository's policies
// next to a data-only bundle like a cluster replicator and a registry export would ship):
//   - a namespace's deployment target and mode from its labels — data.kubernetes.namespaces
//     (kube-mgmt's layout), else data.inventory.cluster.v1.Namespace (Gatekeeper's), or the
//     review's namespaceObject when a proxy adds one — with admission.namespaces the fallback;
//   - governance metadata from the registry record a workload references
//     (<prefix>registry-record → data.registry.models[id]), under the annotations;
// and what hostile data there does: refused with a reason code or answered per the failure mode,
// never a 500, never another namespace's or record's data.
import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server.js';
import type { PolicyProvider } from '../../src/plugins/policies.js';
import {
  ADMISSION_PATH,
  PREFIX,
  clusterDataConfig,
  inferenceService,
  modelDeploymentExamples,
  namespaceObject,
  recordFor,
  responseProblems,
  review,
  targetLabels,
  workload,
  type ClusterData,
  type Json,
} from '../helpers/admission.js';
import { testConfig } from '../helpers/config.js';

const examples = modelDeploymentExamples();
const allowEx = examples.find((e) => e.name === 'tier1-prod-fraud-scorer')!;
const denyEx = examples.find((e) => e.name === 'unapproved-registry')!;
const D = allowEx.body.deployment;

const DATA: ClusterData = {
  kubeMgmt: {
    'ml-labelled': namespaceObject('ml-labelled', targetLabels(D)),
    'ml-partial': namespaceObject('ml-partial', { [`${PREFIX}environment`]: 'staging' }),
    'ml-warn-label': namespaceObject('ml-warn-label', targetLabels(D, 'warn')),
    'ml-no-labels': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml-no-labels' } },
    'ml-empty-env': namespaceObject('ml-empty-env', { [`${PREFIX}environment`]: '', [`${PREFIX}exposure`]: 'partner' }),
    // Hostile label values (a replicator copies whatever the cluster holds; a bundle may be forged).
    'bad-number': namespaceObject('bad-number', { [`${PREFIX}environment`]: 7 }),
    'bad-object': namespaceObject('bad-object', { [`${PREFIX}environment`]: { prod: true } }),
    'bad-long': namespaceObject('bad-long', { [`${PREFIX}environment`]: 'p'.repeat(64) }),
    'bad-chars': namespaceObject('bad-chars', { [`${PREFIX}environment`]: 'prod; rm -rf /' }),
    'bad-newline': namespaceObject('bad-newline', { [`${PREFIX}exposure`]: 'internal\ncustomer_facing' }),
    'bad-mode': namespaceObject('bad-mode', { ...targetLabels(D), [`${PREFIX}admission-mode`]: 'lenient' }),
    'bad-labels': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bad-labels', labels: ['prod'] } },
    'huge-labels': namespaceObject('huge-labels', Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 'v']))),
    constructor: namespaceObject('constructor', targetLabels(D)),
  },
  gatekeeper: {
    'ml-gatekeeper': namespaceObject('ml-gatekeeper', targetLabels({ ...D, environment: 'staging' })),
    // Both layouts hold it: kube-mgmt's is read first.
    'ml-labelled': namespaceObject('ml-labelled', targetLabels({ ...D, environment: 'dev' })),
  },
  records: {
    'fraud-scorer-3.2.0': recordFor(allowEx.body),
    'unapproved-1.0': recordFor(denyEx.body),
    'not-an-object': 'fraud-scorer',
    'artifact-a-string': { ...recordFor(allowEx.body), artifact: 's3://models/x' },
    'wrong-types': { ...recordFor(allowEx.body), risk_tier: 'one' },
    'deep-record': { ...recordFor(allowEx.body), evaluation: JSON.parse('{"a":'.repeat(20) + '1' + '}'.repeat(20)) },
    'huge-record': { ...recordFor(allowEx.body), notes: Array.from({ length: 20_000 }, (_, i) => i) },
    'a:b.c_d-e': recordFor(allowEx.body),
    'approvals-a-string': { ...recordFor(allowEx.body), approvals: 'u-9' },
    'extra-artifact-fields': { ...recordFor(allowEx.body), artifact: { ...allowEx.body.model.artifact, format: 'onnx' }, description: 'ignored' },
  },
};
const config = clusterDataConfig(DATA);

async function app(t: Test, env: Record<string, string> = {}, policies?: PolicyProvider): Promise<{ a: FastifyInstance; inputs: Map<string, Json> }> {
  const a = buildApp(testConfig({ PDP_CONFIG: config, PDP_CACHE_ENABLED: 'false', ...env }), policies ? { policies } : {});
  const inputs = new Map<string, Json>();
  a.addHook('onReady', async () => a.pipeline.addRecorder({ log: (r) => void inputs.set(r.decision_id, r.input) }));
  await a.ready();
  t.teardown(() => a.close());
  return { a, inputs };
}

async function admit(a: FastifyInstance, body: Json, query = ''): Promise<Json> {
  const r = await a.inject({ method: 'POST', url: `${ADMISSION_PATH}${query}`, payload: body });
  if (r.statusCode !== 200) throw new Error(`HTTP ${r.statusCode}: ${r.body}`);
  const json = r.json();
  const problems = responseProblems(json);
  if (problems) throw new Error(`not a valid answer: ${JSON.stringify(problems)}`);
  // The recorder hears of a decision right after the answer.
  await new Promise((res) => setImmediate(res));
  return json.response;
}

const isvc = (ns: string, body = allowEx.body, annotations?: Record<string, string>): Json => {
  const o = inferenceService(body, ns);
  if (annotations) o.metadata.annotations = annotations;
  return review('InferenceService', 'CREATE', { object: o, namespace: ns, user: { username: body.requester.id, groups: body.requester.roles } });
};
const ref = (id: string): Record<string, string> => ({ [`${PREFIX}registry-record`]: id });

t.test('the deployment target from the namespace labels replicated into bundle data', async (t) => {
  const { a, inputs } = await app(t);
  const r = await admit(a, isvc('ml-labelled'));
  t.equal(r.allowed, true);
  t.equal(r.auditAnnotations['namespace-source'], 'data.kubernetes.namespaces', 'kube-mgmt layout read first');
  t.same(
    inputs.get(r.auditAnnotations['decision-id']).deployment,
    { ...D, namespace: 'ml-labelled' },
    'environment, exposure, region, cluster from the labels',
  );
  t.equal(r.auditAnnotations['bundle-revisions'], 'cluster=cluster-data-1,main=ai-governance-2026.12.03.1');

  const g = await admit(a, isvc('ml-gatekeeper'));
  t.equal(g.auditAnnotations['namespace-source'], 'data.inventory.cluster.v1.Namespace', "Gatekeeper's layout when kube-mgmt's has no entry");
  t.equal(inputs.get(g.auditAnnotations['decision-id']).deployment.environment, 'staging');

  const none = await admit(a, isvc('ml-no-labels'));
  t.equal(none.allowed, false);
  t.equal(none.auditAnnotations.refused, 'NAMESPACE_NOT_MAPPED', 'a replicated namespace without the labels, not in the setting: refused');
  t.match(none.status.message, /no pdp\.ai-governance\.io\/environment label, not in admission\.namespaces/);
  const unknown = await admit(a, isvc('nowhere'));
  t.equal(unknown.auditAnnotations.refused, 'NAMESPACE_NOT_MAPPED', 'a namespace nobody describes: refused, not guessed');
});

t.test('admission.namespaces is the fallback, field by field', async (t) => {
  const { a, inputs } = await app(t, {
    PDP_ADMISSION_NAMESPACES: JSON.stringify({
      'ml-partial': { environment: 'prod', exposure: 'internal', region: 'eu-central-1' },
      'ml-labelled': { environment: 'dev', exposure: 'internal' },
      'ml-no-labels': { environment: 'dev', exposure: 'internal' },
      'ml-empty-env': { environment: 'dev', exposure: 'internal' },
    }),
  });
  const e = await admit(a, isvc('ml-empty-env'));
  t.same(
    inputs.get(e.auditAnnotations['decision-id']).deployment,
    { environment: 'dev', exposure: 'partner', namespace: 'ml-empty-env' },
    "an empty label value says nothing: the setting's environment, the label's exposure",
  );
  t.equal(e.auditAnnotations['namespace-source'], 'admission.namespaces');
  const p = await admit(a, isvc('ml-partial'));
  t.same(
    inputs.get(p.auditAnnotations['decision-id']).deployment,
    { environment: 'staging', exposure: 'internal', region: 'eu-central-1', namespace: 'ml-partial' },
    "the label's environment; exposure and region from the setting",
  );
  t.equal(p.auditAnnotations['namespace-source'], 'data.kubernetes.namespaces');
  const l = await admit(a, isvc('ml-labelled'));
  t.equal(inputs.get(l.auditAnnotations['decision-id']).deployment.environment, 'prod', "the namespace's labels win over the setting");
  const n = await admit(a, isvc('ml-no-labels'));
  t.equal(n.auditAnnotations['namespace-source'], 'admission.namespaces');
  t.equal(inputs.get(n.auditAnnotations['decision-id']).deployment.environment, 'dev', 'no labels: the setting');
});

t.test("the mode: the setting's pin, else ?mode=, else the replicated label, else the default", async (t) => {
  const { a } = await app(t, { PDP_ADMISSION_NAMESPACES: JSON.stringify({ 'ml-warn-label': { environment: 'prod', mode: 'audit' } }) });
  const deny = (ns: string): Json => isvc(ns, denyEx.body);
  const label = await admit(a, deny('ml-labelled'));
  t.equal(label.auditAnnotations.mode, 'enforce', 'no mode label: the default');
  const pinned = await admit(a, deny('ml-warn-label'));
  t.equal(pinned.auditAnnotations.mode, 'audit', "the setting's mode wins over the label");
  const { a: b } = await app(t);
  const w = await admit(b, deny('ml-warn-label'));
  t.equal(w.auditAnnotations.mode, 'warn', 'the replicated admission-mode label');
  t.equal(w.allowed, true);
  t.match(w.warnings[0], /^warn mode: would be/);
  const q = await admit(b, deny('ml-warn-label'), '?mode=enforce');
  t.equal(q.auditAnnotations.mode, 'enforce', "?mode= (the API server's own view of the label) wins over the replicated copy");
});

t.test('namespaceObject in the review (added by a proxy; the API server sends none)', async (t) => {
  const { a, inputs } = await app(t);
  const body = isvc('ml-proxied');
  body.request.namespaceObject = namespaceObject('ml-proxied', targetLabels({ ...D, exposure: 'internal' }, 'warn'));
  const r = await admit(a, body);
  t.equal(r.auditAnnotations['namespace-source'], 'namespaceObject');
  t.equal(r.auditAnnotations.mode, 'warn');
  t.equal(inputs.get(r.auditAnnotations['decision-id']).deployment.exposure, 'internal');
  const over = isvc('ml-labelled');
  over.request.namespaceObject = namespaceObject('ml-labelled', targetLabels({ ...D, environment: 'dev' }));
  const o = await admit(a, over);
  t.equal(inputs.get(o.auditAnnotations['decision-id']).deployment.environment, 'dev', 'the namespaceObject is read instead of the replicated copy');
  const other = isvc('ml-labelled');
  other.request.namespaceObject = namespaceObject('ml-other', targetLabels(D));
  const m = await admit(a, other);
  t.equal(m.allowed, false);
  t.equal(m.auditAnnotations.refused, 'NAMESPACE_LABEL_INVALID', "another namespace's object is refused, not used");
  const nolabels = isvc('ml-labelled');
  nolabels.request.namespaceObject = { metadata: { name: 'ml-labelled' } };
  const n = await admit(a, nolabels);
  t.equal(n.auditAnnotations.refused, 'NAMESPACE_NOT_MAPPED', 'a namespaceObject without labels: the setting, then refused');
  const badLabels = isvc('ml-labelled');
  badLabels.request.namespaceObject = { metadata: { name: 'ml-labelled', labels: 'prod' } };
  t.equal((await admit(a, badLabels)).auditAnnotations.refused, 'NAMESPACE_LABEL_INVALID', 'labels not an object');
});

t.test('hostile namespace labels and names: refused with a reason code, or the failure mode; never a 500', async (t) => {
  const { a } = await app(t, { PDP_ADMISSION_NAMESPACES: JSON.stringify({ 'bad-number': { environment: 'dev' }, 'bad-chars': { environment: 'dev' } }) });
  for (const [ns, what] of [
    ['bad-number', /label pdp\.ai-governance\.io\/environment is not a valid label value/],
    ['bad-object', /environment is not a valid label value/],
    ['bad-long', /environment is not a valid label value/],
    ['bad-chars', /environment is not a valid label value/],
    ['bad-newline', /exposure is not a valid label value/],
    ['bad-mode', /admission-mode is not one of enforce, warn, audit/],
    ['bad-labels', /metadata\.labels is not an object/],
  ] as const) {
    const r = await admit(a, isvc(ns));
    t.equal(r.allowed, false, `${ns}: refused (fail closed), not the setting's fallback`);
    t.equal(r.auditAnnotations.refused, 'NAMESPACE_LABEL_INVALID', `${ns}: the reason code`);
    t.match(r.status.message, what, `${ns}: names the label`);
    t.equal(r.status.code, 400);
  }
  const huge = await admit(a, isvc('huge-labels'));
  t.equal(huge.allowed, false, 'labels past the read bound: could not decide, failure mode deny');
  t.equal(huge.auditAnnotations.failure, 'BUNDLE_DATA_ERROR');
  const { a: open } = await app(t, { PDP_ADMISSION_FAILURE_MODE: 'allow' });
  const h2 = await admit(open, isvc('huge-labels'));
  t.equal(h2.allowed, true, 'and allowed with a warning when the failure mode is allow');
  t.match(h2.warnings[0], /BUNDLE_DATA_ERROR/);
  // Names that are not DNS labels are never looked up; names that are JavaScript's own keys find nothing.
  for (const ns of ['a/b', '..', '__proto__', 'UPPER', 'toString', 'hasOwnProperty']) {
    const r = await admit(a, isvc(ns));
    t.equal(r.auditAnnotations.refused, 'NAMESPACE_NOT_MAPPED', `namespace ${JSON.stringify(ns)}: not mapped`);
  }
  const c = await admit(a, isvc('constructor'));
  t.equal(c.allowed, true, 'a namespace really named "constructor" is read like any other');
});

t.test('governance metadata from the registry record a workload references', async (t) => {
  const { a, inputs } = await app(t);
  // Only the reference and the storage URI on the object: the rest is the record's.
  const r = await admit(a, isvc('ml-labelled', allowEx.body, ref('fraud-scorer-3.2.0')));
  t.equal(r.allowed, true);
  t.equal(r.auditAnnotations['registry-record'], 'fraud-scorer-3.2.0');
  t.same(
    inputs.get(r.auditAnnotations['decision-id']),
    { ...allowEx.body, deployment: { ...D, namespace: 'ml-labelled' } },
    'the request is the release itself',
  );
  const d = await admit(a, isvc('ml-labelled', denyEx.body, ref('unapproved-1.0')));
  t.equal(d.allowed, false);
  t.match(d.status.message, /UNAPPROVED_REGISTRY \[AIGOV-REG-01\]/, "the record's registry is decided on");

  // The annotations win over the record, field by field.
  const over = await admit(a, isvc('ml-labelled', allowEx.body, { ...ref('fraud-scorer-3.2.0'), [`${PREFIX}risk-tier`]: '2', [`${PREFIX}owner`]: 'team-x' }));
  const input = inputs.get(over.auditAnnotations['decision-id']);
  t.equal(input.model.risk_tier, 2, 'annotation risk-tier over the record');
  t.equal(input.model.owner, 'team-x');
  t.equal(input.model.license, allowEx.body.model.license, 'the rest from the record');
  // The object's own storage URI is what is served: it wins over the record's artifact URI.
  const moved = isvc('ml-labelled', allowEx.body, ref('fraud-scorer-3.2.0'));
  moved.request.object.spec.predictor.model.storageUri = 's3://elsewhere/model';
  const mv = await admit(a, moved);
  t.equal(inputs.get(mv.auditAnnotations['decision-id']).model.artifact.uri, 's3://elsewhere/model');
  t.equal(inputs.get(mv.auditAnnotations['decision-id']).model.artifact.digest, allowEx.body.model.artifact.digest);

  // A Deployment carrying only the reference carries a model.
  const dep = workload('Deployment', null, 'ml-labelled');
  dep.metadata.annotations = ref('fraud-scorer-3.2.0');
  const dr = await admit(a, review('Deployment', 'CREATE', { object: dep, namespace: 'ml-labelled' }));
  t.equal(dr.auditAnnotations['registry-record'], 'fraud-scorer-3.2.0', 'a Deployment with only the reference is decided');
  t.equal(inputs.get(dr.auditAnnotations['decision-id']).model.name, 'fraud-scorer');

  // UPDATE: a changed reference is a new release; the same one is not.
  const before = isvc('ml-labelled', allowEx.body, ref('fraud-scorer-3.2.0')).request.object;
  const same = await admit(a, review('InferenceService', 'UPDATE', { object: structuredClone(before), oldObject: before, namespace: 'ml-labelled' }));
  t.equal(same.auditAnnotations.skipped, 'model-unchanged');
  const changed = structuredClone(before);
  changed.metadata.annotations = ref('unapproved-1.0');
  const ch = await admit(a, review('InferenceService', 'UPDATE', { object: changed, oldObject: before, namespace: 'ml-labelled' }));
  t.equal(ch.auditAnnotations['registry-record'], 'unapproved-1.0', 'a changed reference is decided');
});

t.test('registry records: missing, malformed or hostile → refused with a reason code (fail closed), never a crash', async (t) => {
  const { a, inputs } = await app(t);
  const missing = await admit(a, isvc('ml-labelled', allowEx.body, ref('fraud-scorer-9.9.9')));
  t.equal(missing.allowed, false);
  t.equal(missing.auditAnnotations.refused, 'REGISTRY_RECORD_NOT_FOUND');
  t.match(missing.status.message, /no registry record data\.registry\.models\["fraud-scorer-9\.9\.9"\]/);
  t.equal(inputs.size, 0, 'not a decision');
  const cases: Array<[string, string, RegExp]> = [
    ['a/b', 'REGISTRY_RECORD_INVALID', /is not a record id/],
    ['../fraud-scorer-3.2.0', 'REGISTRY_RECORD_INVALID', /is not a record id/],
    ['fraud-scorer-3.2.0/..', 'REGISTRY_RECORD_INVALID', /is not a record id/],
    ['..', 'REGISTRY_RECORD_INVALID', /is not a record id/],
    ['', 'REGISTRY_RECORD_INVALID', /is not a record id/],
    [' fraud-scorer-3.2.0', 'REGISTRY_RECORD_INVALID', /is not a record id/],
    ['fraud-scorer-3.2.0\n', 'REGISTRY_RECORD_INVALID', /is not a record id/],
    ['fraud%2Fscorer', 'REGISTRY_RECORD_INVALID', /is not a record id/],
    ['__proto__', 'REGISTRY_RECORD_INVALID', /is not a record id/],
    ['x'.repeat(300), 'REGISTRY_RECORD_INVALID', /is not a record id/],
    ['x'.repeat(100_000), 'REGISTRY_RECORD_INVALID', /is not a record id/],
    ['constructor', 'REGISTRY_RECORD_NOT_FOUND', /no registry record/],
    ['toString', 'REGISTRY_RECORD_NOT_FOUND', /no registry record/],
    ['not-an-object', 'REGISTRY_RECORD_INVALID', /is not an object/],
    ['artifact-a-string', 'REGISTRY_RECORD_INVALID', /\.artifact is not an object/],
    ['deep-record', 'REGISTRY_RECORD_INVALID', /nests deeper than 8/],
    ['wrong-types', 'INVALID_REQUEST', /registry record "wrong-types" field risk_tier: must be integer/],
    ['approvals-a-string', 'INVALID_REQUEST', /registry record "approvals-a-string" field approvals: must be array/],
  ];
  for (const [id, code, message] of cases) {
    const r = await admit(a, isvc('ml-labelled', allowEx.body, ref(id)));
    t.equal(r.allowed, false, `${JSON.stringify(id.slice(0, 40))}: refused`);
    t.equal(r.auditAnnotations.refused, code, `${JSON.stringify(id.slice(0, 40))}: ${code}`);
    t.match(r.status.message, message);
    t.ok(r.status.message.length <= 4096, 'the message stays bounded');
  }
  const huge = await admit(a, isvc('ml-labelled', allowEx.body, ref('huge-record')));
  t.equal(huge.auditAnnotations.failure, 'BUNDLE_DATA_ERROR', 'a record past the read bound: could not decide');
  t.equal(huge.allowed, false);
  const ok = await admit(a, isvc('ml-labelled', allowEx.body, ref('a:b.c_d-e')));
  t.equal(ok.allowed, true, 'ids with . _ : - are ids');
  const extra = await admit(a, isvc('ml-labelled', allowEx.body, ref('extra-artifact-fields')));
  const input = inputs.get(extra.auditAnnotations['decision-id']);
  t.equal(input.model.artifact.format, 'onnx', "the record's other artifact fields are kept (the schema allows them)");
  t.notOk('description' in input.model, 'fields that are not model fields are not taken');
  t.equal(inputs.size, 2, 'only those two were decided');
  // Refusals follow the namespace's mode like a policy's deny.
  const warn = await admit(a, isvc('ml-warn-label', allowEx.body, ref('fraud-scorer-9.9.9')));
  t.equal(warn.allowed, true);
  t.match(warn.warnings[0], /^warn mode: would be refused: .*REGISTRY_RECORD_NOT_FOUND/);
});

t.test('no active policy: the failure mode before any bundle data is read', async (t) => {
  const none: PolicyProvider = { current: () => null, status: () => [], ready: () => false, start: async () => undefined, stop: async () => undefined };
  const { a } = await app(t, {}, none);
  const r = await admit(a, isvc('ml-labelled', allowEx.body, ref('fraud-scorer-3.2.0')));
  t.equal(r.allowed, false);
  t.equal(r.auditAnnotations.failure, 'NO_ACTIVE_POLICY');
  t.match(r.status.message, /failure mode deny: refused \(fail closed\)/);
});
