// A bundle carrying policy.wasm, served through the real listening service: the engine is
// chosen per bundle (opa-wasm here, named in /v1/pdp/status), answers have the same shapes as the
// built-in engine's (Data API {"result"}, undefined → {} with a decision_id), a trap is an
// evaluation error, not a crash, and every decision is logged with engine "wasm".
// What this cannot prove: the module is a hand-written fixture speaking OPA's wasm ABI
// (scripts/build-wasm-fixture.mjs), not one compiled by `opa build` (no opa binary here).
import t from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { startServer } from '../../src/server.js';
import { buildWasmFixture, FIXTURE_ENTRYPOINTS } from '../../scripts/build-wasm-fixture.mjs';
import { writeTree } from '../helpers/bundle-files.js';
import { TEST_ENV } from '../helpers/config.js';

t.test('opa-wasm bundle over HTTP: Data API shapes, status, errors, audit records', async (t) => {
  const dir = t.testdir();
  await writeTree(dir, {
    // roots [""] as `opa build` writes them by default
    '.manifest': JSON.stringify({ revision: 'w1', roots: [''], wasm: FIXTURE_ENTRYPOINTS.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })) }),
    'policy.wasm': await buildWasmFixture(),
  });
  // Every plugin (decision log included) from the one configuration; no decision-log lines on stdout (tap's).
  const { config, warnings } = loadConfig({
    env: { ...TEST_ENV, PDP_BUNDLE_PATH: dir, PDP_BUNDLE_NAME: 'compiled', PDP_BUNDLE_WATCH: 'false' },
  });
  t.same(warnings, []);
  const s = await startServer(config);
  t.teardown(() => s.close());

  const status = (await (await fetch(`${s.url}/v1/pdp/status`)).json()) as { bundles: { name: string; engine: string }[] };
  t.match(status.bundles, [{ name: 'compiled', engine: 'wasm' }], 'the engine is named in /v1/pdp/status');

  const post = async (path: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${s.url}/v1/data/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const input = { allow: true, user: 'u-17', nested: { list: [1, 'two', null] } };
  const echoed = await post('fixture/input', input);
  t.equal(echoed.status, 200);
  t.same(echoed.body.result, input, '{"result": …} like the Rego engine');
  t.match(echoed.body.decision_id, /^[0-9a-f-]{36}$/);
  t.match(await post('fixture/allow', { allow: true }), { status: 200, body: { result: true } });

  const undef = await post('fixture/undefined', {});
  t.equal(undef.status, 200);
  t.notOk('result' in undef.body, 'undefined → no result, like OPA');
  t.match(undef.body.decision_id, /^[0-9a-f-]{36}$/);

  const trap = await post('fixture/trap', {});
  t.equal(trap.status, 500, 'an evaluation error on the Data API is a 500, as OPA answers it');
  t.match(trap.body, { code: 'internal_error', errors: [{ code: String }] }, "OPA's error shape");
  t.match(await post('fixture/allow', { allow: true }), { status: 200, body: { result: true } }, 'still serving after a trap');

  const rec = (await (await fetch(`${s.url}/v1/decisions/${String(echoed.body.decision_id)}`)).json()) as Record<string, unknown>;
  t.match(rec, { engine: 'wasm', outcome: 'decided', bundles: { compiled: { revision: 'w1' } } });
  // This bundle has no system.log.mask: the input — and the Data API document, which here echoes
  // it — are left out (privacy by default); that is not a mask failure (no error counted).
  t.notOk('input' in rec, 'no mask policy: the input is not logged');
  t.notOk('result' in rec, 'nor a Data API result');
  t.same(rec.erased, ['/input', '/result']);
  t.equal(rec.mask_error, undefined, 'not a mask failure');
  t.notOk('mask_error' in rec);
});
