// One model release, three ways in, one answer: every examples/model-deployment body decided
//   1. as POST /v1/decisions/model-deployment (the body as-is),
//   2. as an AdmissionReview for that release wrapped as a KServe InferenceService (fields as
//      governance annotations, the artifact URI as storageUri, the target as the namespace's
//      admission.namespaces entry, the requester as userInfo),
//   3. by `pdp gate model-deployment -b policies` on the same file,
// gives the same allow, the same reasons (code, control, message) and the same exceptions — and
// the webhook's mapped request is the body itself (apart from the namespace it was sent to).
// The same again with the webhook reading the release from bundle data instead: the target from
// the namespace's replicated labels, the model from the registry record the object references.
import t from 'tap';
import { join } from 'node:path';
import { buildApp } from '../../src/server.js';
import type { DecisionAnswerBody } from '../../src/decisions/types.js';
import {
  ADMISSION_PATH,
  PREFIX,
  aged,
  clusterDataConfig,
  inferenceService,
  modelDeploymentExamples,
  namespaceObject,
  namespacesFor,
  recordFor,
  responseProblems,
  review,
  targetLabels,
  type Json,
} from '../helpers/admission.js';
import { runCli } from '../helpers/cli.js';
import { testConfig } from '../helpers/config.js';
import { repoRoot } from '../helpers/deploy.js';

const policies = join(repoRoot, 'policies');
const examples = modelDeploymentExamples();

const verdict = (d: DecisionAnswerBody) => ({ allow: d.allow, reasons: d.reasons, exceptions_applied: d.exceptions_applied });

t.test('webhook, gate CLI and decision endpoint agree on every example', async (t) => {
  t.ok(examples.length >= 10, `${examples.length} examples`);
  // Cache off: each way in is evaluated, not answered from the others' cached result.
  const app = buildApp(
    testConfig({
      PDP_BUNDLE_PATH: policies,
      PDP_BUNDLE_WATCH: 'false',
      PDP_CACHE_ENABLED: 'false',
      PDP_ADMISSION_NAMESPACES: JSON.stringify(namespacesFor(examples)),
    }),
  );
  const inputs = new Map<string, unknown>();
  app.addHook('onReady', async () => app.pipeline.addRecorder({ log: (r) => void inputs.set(r.decision_id, r.input) }));
  await app.ready();
  t.teardown(() => app.close());

  for (const ex of examples) {
    const endpoint = (await app.inject({ method: 'POST', url: '/v1/decisions/model-deployment', payload: ex.body })).json() as DecisionAnswerBody;

    const req = review('InferenceService', 'CREATE', {
      object: inferenceService(ex.body, ex.name),
      namespace: ex.name,
      user: { username: ex.body.requester.id, groups: ex.body.requester.roles },
    });
    const admission = (await app.inject({ method: 'POST', url: ADMISSION_PATH, payload: req })).json() as Json;
    t.equal(responseProblems(admission), null, `${ex.name}: a valid AdmissionReview response`);
    const id = admission.response.auditAnnotations['decision-id'] as string;
    await new Promise((r) => setImmediate(r));
    t.same(
      inputs.get(id),
      { ...ex.body, deployment: { ...ex.body.deployment, namespace: ex.name } },
      `${ex.name}: the webhook asked the policy exactly this release`,
    );
    const webhookRecord = (await app.inject({ method: 'GET', url: `/v1/decisions/${id}` })).json() as Json;
    const webhook = { allow: webhookRecord.allow, reasons: webhookRecord.reasons, exceptions_applied: webhookRecord.exceptions_applied };

    const cli = await runCli(['gate', 'model-deployment', ex.file, '-b', policies, '-f', 'json'], repoRoot);
    const gate = (JSON.parse(cli.out) as { decision: DecisionAnswerBody }).decision;

    t.ok(endpoint.allow === ex.expectAllow || (ex.expectAllow && aged(endpoint.reasons)), `${ex.name}: the endpoint decides as the file name says`);
    t.same(webhook, verdict(endpoint), `${ex.name}: webhook = endpoint (allow, reasons, exceptions)`);
    t.same(verdict(gate), verdict(endpoint), `${ex.name}: gate CLI = endpoint (allow, reasons, exceptions)`);
    t.equal(admission.response.allowed, endpoint.allow, `${ex.name}: the admission verdict (enforce mode) is the decision`);
    t.equal(cli.code, endpoint.allow ? 0 : 1, `${ex.name}: the gate's exit code is the decision`);
    for (const r of endpoint.reasons) {
      if (!endpoint.allow)
        t.ok(admission.response.status.message.includes(`${r.code} [${r.control}]`), `${ex.name}: ${r.code} [${r.control}] in the admission message`);
    }
  }
});

t.test('the same through bundle data: namespace labels and a registry record per example', async (t) => {
  const config = clusterDataConfig({
    kubeMgmt: Object.fromEntries(examples.map((e) => [e.name, namespaceObject(e.name, targetLabels(e.body.deployment))])),
    records: Object.fromEntries(examples.map((e) => [`${e.name}.record`, recordFor(e.body)])),
  });
  // No admission.namespaces: every target comes from the labels.
  const app = buildApp(testConfig({ PDP_CONFIG: config, PDP_CACHE_ENABLED: 'false' }));
  const inputs = new Map<string, unknown>();
  app.addHook('onReady', async () => app.pipeline.addRecorder({ log: (r) => void inputs.set(r.decision_id, r.input) }));
  await app.ready();
  t.teardown(() => app.close());
  for (const ex of examples) {
    const endpoint = (await app.inject({ method: 'POST', url: '/v1/decisions/model-deployment', payload: ex.body })).json() as DecisionAnswerBody;
    const object = inferenceService(ex.body, ex.name);
    // Only the reference: name, version, metadata, evaluation and approvals are the record's.
    object.metadata.annotations = { [`${PREFIX}registry-record`]: `${ex.name}.record` };
    const req = review('InferenceService', 'CREATE', { object, namespace: ex.name, user: { username: ex.body.requester.id, groups: ex.body.requester.roles } });
    const admission = (await app.inject({ method: 'POST', url: ADMISSION_PATH, payload: req })).json() as Json;
    t.equal(responseProblems(admission), null, `${ex.name}: a valid AdmissionReview response`);
    t.equal(admission.response.auditAnnotations['namespace-source'], 'data.kubernetes.namespaces');
    const id = admission.response.auditAnnotations['decision-id'] as string;
    await new Promise((r) => setImmediate(r));
    t.same(inputs.get(id), { ...ex.body, deployment: { ...ex.body.deployment, namespace: ex.name } }, `${ex.name}: the same release, read from bundle data`);
    const rec = (await app.inject({ method: 'GET', url: `/v1/decisions/${id}` })).json() as Json;
    t.same({ allow: rec.allow, reasons: rec.reasons, exceptions_applied: rec.exceptions_applied }, verdict(endpoint), `${ex.name}: webhook = endpoint`);
    t.equal(admission.response.allowed, endpoint.allow, `${ex.name}: the admission verdict is the decision`);
  }
});
