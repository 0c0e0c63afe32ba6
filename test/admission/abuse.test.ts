// Hostile and broken AdmissionReviews (route contract, app.inject): a body that is not an
// AdmissionReview gets a 400 naming the field; hostile objects and annotations get a clear
// AdmissionReview answer; nothing is ever a 500. And the failure modes: a decision that misses
// the budget, no active policy, a throw inside the webhook — each answered per
// PDP_ADMISSION_FAILURE_MODE, saying so.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { buildApp } from '../../src/server.js';
import type { DecisionCache } from '../../src/decisions/types.js';
import type { PolicyProvider } from '../../src/plugins/policies.js';
import { ADMISSION_PATH, PREFIX, inferenceService, modelDeploymentExamples, responseProblems, review, workload, type Json } from '../helpers/admission.js';
import { testConfig } from '../helpers/config.js';
import { repoRoot } from '../helpers/deploy.js';

const ex = modelDeploymentExamples().find((e) => e.name === 'tier1-prod-fraud-scorer')!;
const d = ex.body.deployment;
const NAMESPACES = JSON.stringify({ ml: { environment: d.environment, exposure: d.exposure, region: d.region, cluster: d.cluster } });

async function app(t: Test, env: Record<string, string> = {}, setup?: (a: FastifyInstance) => void, policies?: PolicyProvider): Promise<FastifyInstance> {
  const a = buildApp(
    testConfig({ PDP_BUNDLE_PATH: join(repoRoot, 'policies'), PDP_BUNDLE_WATCH: 'false', PDP_ADMISSION_NAMESPACES: NAMESPACES, ...env }),
    policies ? { policies } : {},
  );
  setup?.(a);
  await a.ready();
  t.teardown(() => a.close());
  return a;
}

const post = (a: FastifyInstance, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  a.inject({ method: 'POST', url: ADMISSION_PATH, headers, payload: typeof body === 'string' ? body : JSON.stringify(body) });

const good = (): Json => review('InferenceService', 'CREATE', { object: inferenceService(ex.body, 'ml'), namespace: 'ml' });

t.test('not an AdmissionReview: 400 naming the field, never a 500', async (t) => {
  const a = await app(t);
  const cases: Array<[string, unknown, RegExp]> = [
    ['empty object', {}, /apiVersion|request/],
    ['wrong apiVersion', { ...good(), apiVersion: 'admission.k8s.io/v1beta1' }, /apiVersion/],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /request/],
    [
      'no uid',
      (() => {
        const r = good();
        delete r.request.uid;
        return r;
      })(),
      /uid/,
    ],
    [
      'uid not a string',
      (() => {
        const r = good();
        r.request.uid = 7;
        return r;
      })(),
      /uid/,
    ],
    [
      'no kind',
      (() => {
        const r = good();
        delete r.request.kind;
        return r;
      })(),
      /kind/,
    ],
    [
      'unknown operation',
      (() => {
        const r = good();
        r.request.operation = 'PATCH';
        return r;
      })(),
      /operation/,
    ],
    [
      'userInfo a string',
      (() => {
        const r = good();
        r.request.userInfo = 'root';
        return r;
      })(),
      /userInfo/,
    ],
    [
      'object an array',
      (() => {
        const r = good();
        r.request.object = [];
        return r;
      })(),
      /object/,
    ],
    [
      'groups not strings',
      (() => {
        const r = good();
        r.request.userInfo.groups = [1];
        return r;
      })(),
      /groups/,
    ],
    [
      'a 10 000-character name',
      (() => {
        const r = good();
        r.request.name = 'n'.repeat(10_000);
        return r;
      })(),
      /name/,
    ],
    [
      'a 10 000-character kind',
      (() => {
        const r = good();
        r.request.kind.kind = 'K'.repeat(10_000);
        return r;
      })(),
      /kind/,
    ],
    ['a JSON array', [], /must be object/],
    ['null', null, /must be object|body/],
  ];
  for (const [name, body, field] of cases) {
    const r = await post(a, body);
    t.equal(r.statusCode, 400, `${name}: 400`);
    t.match(r.body, field, `${name}: names the field`);
  }
  t.equal((await post(a, '{"apiVersion":', { 'content-type': 'application/json' })).statusCode, 400, 'broken JSON');
  t.equal((await post(a, JSON.stringify(good()), { 'content-type': 'text/plain' })).statusCode, 415, 'not JSON');
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  t.equal((await post(a, deep)).statusCode, 400, 'nesting bomb refused before parsing');
  const proto = JSON.stringify(good()).replace('"request":{', '"request":{"__proto__":{"allowed":true},');
  t.equal((await post(a, proto)).statusCode, 400, 'prototype-poisoning keys refused');
});

t.test('huge reviews: accepted up to the route limit, 413 past it', async (t) => {
  const a = await app(t);
  const r = good();
  r.request.object.metadata.annotations['example.com/blob'] = 'x'.repeat(2 * 1024 * 1024);
  const big = await post(a, r);
  t.equal(big.statusCode, 200, 'a 2 MiB object (bigger than the service-wide 1 MiB limit) is read on this route');
  t.equal(responseProblems(big.json()), null);
  r.request.object.metadata.annotations['example.com/blob'] = 'x'.repeat(5 * 1024 * 1024);
  t.equal((await post(a, r)).statusCode, 413, 'past 4 MiB: 413');
});

t.test('hostile objects and annotations get a clear AdmissionReview answer', async (t) => {
  const a = await app(t);
  const withAnn = (k: string, v: unknown): Json => {
    const r = good();
    r.request.object.metadata.annotations[PREFIX + k] = v;
    return r;
  };
  const refused: Array<[string, Json, RegExp]> = [
    ['risk-tier not a number', withAnn('risk-tier', 'one'), /pdp\.ai-governance\.io\/risk-tier: must be a non-negative integer/],
    ['risk-tier huge', withAnn('risk-tier', '99999999999999999999'), /risk-tier/],
    ['evaluation not JSON', withAnn('evaluation', '{nope'), /evaluation: not valid JSON/],
    ['evaluation an array', withAnn('evaluation', '[1]'), /evaluation: must be a JSON object/],
    ['evaluation nested deep', withAnn('evaluation', '{"a":'.repeat(50) + '1' + '}'.repeat(50)), /evaluation: JSON nests deeper/],
    ['approvals an object', withAnn('approvals', '{}'), /approvals: must be a JSON array/],
    ['metric out of range', withAnn('evaluation', '{"metrics":{"safety":7}}'), /evaluation\.metrics\.safety/],
    ['signed not a boolean', withAnn('artifact-signed', 'yes'), /artifact-signed/],
    [
      'version missing',
      (() => {
        const r = good();
        delete r.request.object.metadata.annotations[PREFIX + 'version'];
        return r;
      })(),
      /version: is required/,
    ],
  ];
  for (const [name, body, message] of refused) {
    const r = await post(a, body);
    t.equal(r.statusCode, 200, `${name}: answered`);
    const res = r.json();
    t.equal(responseProblems(res), null, `${name}: a valid AdmissionReview response`);
    t.equal(res.response.allowed, false, `${name}: refused`);
    t.equal(res.response.auditAnnotations.refused, 'INVALID_REQUEST');
    t.match(res.response.status.message, message, `${name}: names the annotation`);
  }
  // Garbage where the mapping looks: no model is found, nothing is decided, nothing breaks.
  const odd: Array<[string, Json]> = [
    [
      'metadata a string',
      (() => {
        const r = review('Deployment', 'CREATE', { object: workload('Deployment', ex.body, 'ml'), namespace: 'ml' });
        r.request.object.metadata = 'x';
        return r;
      })(),
    ],
    [
      'annotations an array',
      (() => {
        const r = review('Deployment', 'CREATE', { object: workload('Deployment', ex.body, 'ml'), namespace: 'ml' });
        r.request.object.metadata.annotations = ['a'];
        return r;
      })(),
    ],
    [
      'annotation values not strings',
      (() => {
        const r = review('Deployment', 'CREATE', { object: workload('Deployment', ex.body, 'ml'), namespace: 'ml' });
        r.request.object.metadata.annotations[PREFIX + 'name'] = { x: 1 };
        return r;
      })(),
    ],
    [
      'object null on CREATE',
      (() => {
        const r = good();
        r.request.object = null;
        return r;
      })(),
    ],
  ];
  for (const [name, body] of odd) {
    const r = await post(a, body);
    t.equal(r.statusCode, 200, `${name}: answered`);
    t.equal(responseProblems(r.json()), null, `${name}: a valid AdmissionReview response`);
    t.equal(r.json().response.allowed, true, `${name}: carries no model, allowed without a decision`);
  }
  // An InferenceService always serves a model: garbage in it is decided (and refused), not skipped.
  const isvc = good();
  isvc.request.object.spec = 'x';
  isvc.request.object.metadata.annotations = 7;
  const r = await post(a, isvc);
  t.equal(r.json().response.allowed, false, 'an InferenceService without usable fields is refused');
  t.match(r.json().response.status.message, /version: is required/);
  // Many reasons, long messages: the answer stays within the API server's limits.
  const warn = await app(t, { PDP_ADMISSION_MODE: 'warn' });
  const many = review('InferenceService', 'CREATE', {
    object: inferenceService({ model: { name: 'm'.repeat(2000), version: '1' } }, 'ml', 'long-model'),
    namespace: 'ml',
  });
  const res = (await post(warn, many)).json().response;
  t.equal(res.allowed, true);
  t.ok(res.warnings.length <= 20 && res.warnings.every((w: string) => w.length <= 256), 'at most 20 warnings of at most 256 characters');
});

t.test('could not decide: the configured failure mode, saying so', async (t) => {
  const slowCache: DecisionCache = { get: () => new Promise((r) => setTimeout(() => r(undefined), 400)), set: () => undefined };
  const slow = (a: FastifyInstance): void => {
    // After the cache plugin: this one is what the pipeline uses.
    a.register(fp(async (inner: FastifyInstance) => inner.pipeline.useCache(slowCache), { dependencies: ['pdp-pipeline'] }));
  };
  for (const mode of ['deny', 'allow'] as const) {
    const a = await app(t, { PDP_ADMISSION_TIMEOUT_MS: '50', PDP_ADMISSION_FAILURE_MODE: mode }, slow);
    const res = (await post(a, good())).json();
    t.equal(responseProblems(res), null);
    t.equal(res.response.allowed, mode === 'allow', `timeout, failure mode ${mode}`);
    t.equal(res.response.auditAnnotations.failure, 'DECISION_TIMEOUT');
    t.equal(res.response.auditAnnotations['failure-mode'], mode);
    t.match(res.response.auditAnnotations['decision-id'], /^[0-9a-f-]{36}$/, 'names the decision still running');
    const text = mode === 'deny' ? res.response.status.message : res.response.warnings[0];
    t.match(text, new RegExp(`DECISION_TIMEOUT: no decision within 50 ms.*failure mode ${mode}`));
  }
  const none: PolicyProvider = { current: () => null, status: () => [], ready: () => false, start: async () => undefined, stop: async () => undefined };
  const np = await app(t, {}, undefined, none);
  const res = (await post(np, good())).json();
  t.equal(responseProblems(res), null);
  t.equal(res.response.allowed, false, 'no active policy: fail closed by default');
  t.equal(res.response.auditAnnotations.failure, 'NO_ACTIVE_POLICY');
  t.equal(res.response.status.code, 500);

  // A throw inside the webhook: here the pipeline itself rejects (it never does; the webhook
  // must still answer if something on its path does).
  const broken = await app(t, {}, (a) =>
    a.register(
      fp(
        async (inner: FastifyInstance) => {
          inner.pipeline.decide = () => Promise.reject(new Error('boom'));
        },
        { dependencies: ['pdp-pipeline'] },
      ),
    ),
  );
  const err = (await post(broken, good())).json();
  t.equal(responseProblems(err), null);
  t.equal(err.response.allowed, false);
  t.equal(err.response.auditAnnotations.failure, 'WEBHOOK_ERROR');
  t.match(err.response.status.message, /WEBHOOK_ERROR: the webhook failed: .*boom.*failure mode deny/);
});

t.test('a hostile namespaceObject: 400 when it is not an object, else refused naming the label; never a 500', async (t) => {
  const a = await app(t);
  const withNs = (ns: unknown): Json => {
    const r = good();
    r.request.namespaceObject = ns;
    return r;
  };
  for (const bad of ['ml', 7, ['ml']]) {
    const r = await post(a, withNs(bad));
    t.equal(r.statusCode, 400, `namespaceObject ${JSON.stringify(bad)}: 400`);
    t.match(r.body, /namespaceObject/, 'names the field');
  }
  const many = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`example.com/k${i}`, 'v']));
  const labels: Array<[string, Record<string, unknown>, RegExp | null]> = [
    ['50 000 labels, none of ours', many, null],
    ['50 000 labels and a hostile environment', { ...many, [`${PREFIX}environment`]: 'prod\u0000' }, /environment is not a valid label value/],
    ['environment a list', { [`${PREFIX}environment`]: ['prod'] }, /environment is not a valid label value/],
    ['a 1 MiB region', { [`${PREFIX}environment`]: 'prod', [`${PREFIX}region`]: 'r'.repeat(1024 * 1024) }, /region is not a valid label value/],
    ['mode in upper case', { [`${PREFIX}environment`]: 'prod', [`${PREFIX}admission-mode`]: 'AUDIT' }, /admission-mode is not one of/],
  ];
  for (const [name, l, message] of labels) {
    const r = await post(a, withNs({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml', labels: l } }));
    t.equal(r.statusCode, 200, `${name}: answered`);
    const res = r.json();
    t.equal(responseProblems(res), null, `${name}: a valid AdmissionReview response`);
    if (message) {
      t.equal(res.response.auditAnnotations.refused, 'NAMESPACE_LABEL_INVALID', `${name}: refused`);
      t.match(res.response.status.message, message);
      t.ok(res.response.status.message.length < 1024, 'the hostile value is not echoed');
    } else {
      t.equal(res.response.auditAnnotations['namespace-source'], 'admission.namespaces', `${name}: the setting describes it`);
    }
  }
});
