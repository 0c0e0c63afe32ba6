// OPA's two official TypeScript SDKs (@styra/opa, @open-policy-agent/opa), unchanged, against a
// real listening service: every API they offer — evaluate (with and without input), evaluateDefault,
// evaluateBatch with and without fallback (Enterprise OPA's batch API, which this service
// answers), errors as ServerError (not SDKValidationError), undefined documents, the low-level
// client's health — and what they cannot do here (the compile API; see docs/opa-compatibility.md).
import t from 'tap';
import { OPAClient as StyraClient } from '@styra/opa';
import { OpaApiClient as StyraApi } from '@styra/opa/sdk/index.js';
import * as StyraErrors from '@styra/opa/sdk/models/errors';
import { OPAClient as OpaClient } from '@open-policy-agent/opa';
import { OpaApiClient as OpaApi } from '@open-policy-agent/opa/sdk/index.js';
import * as OpaErrors from '@open-policy-agent/opa/sdk/models/errors';
import { startReal, writeBundle } from '../helpers/real-server.js';
import { compatBundleDir } from '../helpers/opa-compat.js';

const server = await startReal({ bundleDir: compatBundleDir(), env: { PDP_LOG_LEVEL: 'silent' } });
t.teardown(() => server.close());

interface Sdk {
  name: string;
  client: () => StyraClient | OpaClient;
  api: () => StyraApi | OpaApi;
  errors: typeof StyraErrors | typeof OpaErrors;
}

const SDKS: Sdk[] = [
  { name: '@styra/opa', client: () => new StyraClient(server.url), api: () => new StyraApi({ serverURL: server.url }), errors: StyraErrors },
  { name: '@open-policy-agent/opa', client: () => new OpaClient(server.url), api: () => new OpaApi({ serverURL: server.url }), errors: OpaErrors },
];

for (const sdk of SDKS) {
  t.test(`${sdk.name}: evaluate, with and without input`, async (t) => {
    const c = sdk.client();
    t.equal(await c.evaluate('authz/allow', { user: 'alice' }), true, 'alice is an admin');
    t.equal(await c.evaluate('authz/allow', { user: 'mallory' }), false, 'mallory is not');
    t.same(await c.evaluate('roles/admin'), ['alice', 'bob'], 'a base document without input');
    t.equal(await c.evaluate('roles/admin/1'), 'bob', 'an array element by index in the path');
    t.equal(await c.evaluate('authz/nothing', { user: 'alice' }, { fromResult: (r?: unknown) => r ?? 'undefined' }), 'undefined', 'undefined: no result');
  });

  t.test(`${sdk.name}: evaluateDefault answers OPA's default decision (data.system.main)`, async (t) => {
    const c = sdk.client();
    t.same(await c.evaluateDefault({ user: 'alice' }), { allowed: true });
    t.same(await c.evaluateDefault({ user: 'mallory' }), { allowed: false });
    // Undefined default decision: OPA answers 404 undefined_document, which the SDK raises as a ClientError.
    const err = await c.evaluateDefault({}).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof sdk.errors.ClientError, `undefined default decision → ClientError (got ${String(err)})`);
    t.equal((err as { code?: string }).code, 'undefined_document');
  });

  t.test(`${sdk.name}: evaluation errors are ServerErrors with OPA's codes, never SDKValidationError`, async (t) => {
    const c = sdk.client();
    const conflict = await c.evaluate('authz/conflict', { a: true, b: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.notOk(conflict instanceof sdk.errors.SDKValidationError, 'the body matches what the SDK expects');
    t.ok(conflict instanceof sdk.errors.ServerError, `a conflict is a ServerError (got ${String(conflict)})`);
    const e = conflict as { code: string; errors?: { code: string; location?: { file: string; row: number } }[] };
    t.equal(e.code, 'internal_error');
    t.equal(e.errors?.[0]?.code, 'eval_conflict_error');
    t.match(e.errors?.[0]?.location, { file: /authz\/policy\.rego$/, row: 8 });

    const strict = await c.evaluate('authz/number', { text: 'x' }, { fetchOptions: {} }).then((r) => r);
    t.equal(strict, undefined, 'a builtin error without strict-builtin-errors is undefined');
  });

  t.test(`${sdk.name}: evaluateBatch through the batch API (/v1/batch/data), with and without fallback`, async (t) => {
    const c = sdk.client();
    t.same(await c.evaluateBatch('authz/allow', { a: { user: 'alice' }, b: { user: 'mallory' } }), { a: true, b: false }, 'without fallback: one request');
    t.same(
      await c.evaluateBatch('authz/allow', { a: { user: 'bob' } }, { fallback: true }),
      { a: true },
      'with fallback: the batch API answers, no fallback needed',
    );
    t.same(await c.evaluateBatch('authz/allow', {}), {}, 'no inputs, no answers');

    const mixed = await c.evaluateBatch('authz/conflict', { ok: { a: true }, bad: { a: true, b: true } });
    t.equal(mixed.ok, 1, 'the good one answers (207)');
    t.match(
      mixed.bad,
      { code: 'internal_error', httpStatusCode: '500', errors: [{ code: 'eval_conflict_error' }] },
      'the error is kept with its status, not turned into undefined',
    );
    // (the SDK rejects with the failed entry itself, as it came in the 207 body)
    await t.rejects(
      c.evaluateBatch('authz/conflict', { ok: { a: true }, bad: { a: true, b: true } }, { rejectMixed: true }),
      { code: 'internal_error', httpStatusCode: '500' },
      'rejectMixed: the error rejects the batch',
    );

    const allBad = await c.evaluateBatch('authz/conflict', { x: { a: true, b: true } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(allBad instanceof sdk.errors.BatchServerError, `every input failed: 500, a BatchServerError (got ${String(allBad)})`);
    t.match((allBad as { responses?: Record<string, unknown> }).responses?.x, { code: 'internal_error' });
  });

  t.test(`${sdk.name}: getFilters (compile API) is Enterprise OPA's and answers 404`, async (t) => {
    const err = await sdk
      .client()
      .getFilters('authz/allow', {}, { target: 'ucastMinimal' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    t.ok(err instanceof sdk.errors.SDKError, `refused (got ${String(err)})`);
    t.equal((err as { httpMeta: { response: Response } }).httpMeta.response.status, 404, 'no /v1/compile here');
  });

  t.test(`${sdk.name}: health, with bundles and plugins`, async (t) => {
    const api = sdk.api();
    t.equal((await api.health()).httpMeta.response.status, 200);
    t.equal((await api.health(true, true)).httpMeta.response.status, 200, 'bundles active, plugins OK');
    t.equal((await api.health(true, true, ['decision_log'])).httpMeta.response.status, 200, 'exclude-plugin accepted');
  });
}

t.test('health?bundles is UnhealthyServer (500) until the bundle is activated', async (t) => {
  // A bundle that never activates (its policy does not parse): the process is alive, not ready.
  const bad = await startReal({ bundleDir: writeBundle({ 'p.rego': 'package p\n\nallow if {' }), env: { PDP_LOG_LEVEL: 'silent' } });
  t.teardown(() => bad.close());
  for (const sdk of SDKS) {
    const api = new (sdk.name === '@styra/opa' ? StyraApi : OpaApi)({ serverURL: bad.url });
    t.equal((await api.health()).httpMeta.response.status, 200, `${sdk.name}: alive`);
    const err = await api.health(true).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof sdk.errors.UnhealthyServer, `${sdk.name}: ?bundles → UnhealthyServer (got ${String(err)})`);
  }
});
