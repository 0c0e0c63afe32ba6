// Compiled (opa-wasm) bundles answer every Data API path, as OPA does: an entrypoint (or a path
// inside one) runs the module; any other path is evaluated from the bundle's Rego source when it
// carries it (`opa build -t wasm` puts the .rego files in the bundle), else answered from the
// bundle's data documents, and undefined (200 without "result") where the compiled module would
// be needed. Never a 500 for a path.
// The first test uses a module compiled by OPA itself (the Pet Store RBAC policy from
// ../shared/bench-peer/vendor/opa-rbac, built with `opa build -t wasm -e app/rbac`); it is skipped,
// saying so, only when ../shared is absent. The second uses the repo's hand-written ABI fixture.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { startServer } from '../../src/server.js';
import { buildWasmFixture } from '../../scripts/build-wasm-fixture.mjs';
import { writeTree } from '../helpers/bundle-files.js';
import { testConfig } from '../helpers/config.js';

const RBAC = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'bench-peer', 'vendor', 'opa-rbac');

async function serve(
  t: Test,
  files: Record<string, string | Uint8Array>,
): Promise<(p: string, input?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>> {
  const dir = t.testdir();
  await writeTree(dir, files);
  const s = await startServer(testConfig({ PDP_BUNDLE_PATH: dir, PDP_BUNDLE_NAME: 'compiled', PDP_BUNDLE_WATCH: 'false' }));
  t.teardown(() => s.close());
  return async (p, input) => {
    const res =
      input === undefined
        ? await fetch(`${s.url}/v1/data${p}`)
        : await fetch(`${s.url}/v1/data${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

t.test(
  'an OPA-compiled bundle with its Rego source: paths outside the entrypoints are evaluated from the source',
  { skip: existsSync(RBAC) ? false : `${RBAC} not found (../shared is absent): no OPA-compiled module to test with` },
  async (t) => {
    const data = JSON.parse(readFileSync(path.join(RBAC, 'basic_rbac_data.json'), 'utf8')) as { user_roles: Record<string, string[]> };
    const post = await serve(t, {
      '.manifest': JSON.stringify({
        revision: 'rbac-1',
        roots: [''],
        wasm: [
          { entrypoint: 'app/rbac', module: '/policy.wasm' },
          { entrypoint: 'app/rbac/allow', module: '/policy.wasm' },
        ],
      }),
      'policy.wasm': readFileSync(path.join(RBAC, 'rbac.wasm')),
      'data.json': JSON.stringify(data),
      'rbac.rego': readFileSync(path.join(RBAC, 'rbac.rego'), 'utf8'),
    });
    const bob = { user: 'bob', action: 'read', type: 'dog' };
    t.match(await post('/app/rbac/allow', bob), { status: 200, body: { result: true } }, 'an entrypoint');
    t.match(await post('/app/rbac/allow', { user: 'eve', action: 'update', type: 'dog' }), { status: 200, body: { result: false } });
    // Above the entrypoints: OPA evaluates these with its own engine; so does the service, from the source.
    const app = await post('/app', { user: 'alice', action: 'delete', type: 'cat' });
    t.equal(app.status, 200, '/v1/data/app (above an entrypoint) is not a 500');
    t.same(app.body.result, { rbac: { allow: true, user_is_admin: true, user_is_granted: [] } });
    const all = await post('', bob);
    t.equal(all.status, 200, '/v1/data is not a 500');
    t.same((all.body.result as Record<string, unknown>).user_roles, data.user_roles, 'the whole document holds the data');
    const rbac = (all.body.result as { app: { rbac: Record<string, unknown> } }).app.rbac;
    t.equal(rbac.allow, true, 'and the policy');
    t.notOk('user_is_admin' in rbac, 'bob is no admin: that rule is undefined');
    const compiled = await post('/app/rbac', bob);
    t.same(rbac, compiled.body.result, 'the source-evaluated package agrees with the compiled entrypoint app/rbac (set order aside)');
    t.match(await post('/user_roles/bob'), { status: 200, body: { result: ['employee', 'billing'] } }, 'a data document (GET)');
    const missing = await post('/no/such/thing', {});
    t.equal(missing.status, 200);
    t.notOk('result' in missing.body, 'undefined: 200 without a result');
  },
);

t.test('a compiled bundle without Rego source: data documents, undefined above an entrypoint, never a 500', async (t) => {
  const post = await serve(t, {
    '.manifest': JSON.stringify({ revision: 'w1', roots: [''], wasm: [{ entrypoint: 'fixture/allow', module: '/policy.wasm' }] }),
    'policy.wasm': await buildWasmFixture(),
    'limits/data.json': JSON.stringify({ payment_max: 500, tools: ['a', 'b'] }),
  });
  t.match(await post('/fixture/allow', { allow: true }), { status: 200, body: { result: true } }, 'the entrypoint');
  t.match(await post('/limits/payment_max', {}), { status: 200, body: { result: 500 } }, 'a data document');
  t.match(await post('/limits', undefined), { status: 200, body: { result: { payment_max: 500, tools: ['a', 'b'] } } });
  t.match(await post('/limits/tools/1', {}), { status: 200, body: { result: 'b' } });
  for (const p of ['', '/fixture', '/fixture/other', '/limits/nope', '/limits/tools/7']) {
    const r = await post(p, {});
    t.equal(r.status, 200, `/v1/data${p}: 200`);
    t.notOk('result' in r.body, `/v1/data${p}: undefined`);
  }
});

t.test('a compiled bundle whose Rego source the built-in engine cannot compile keeps its entrypoints', async (t) => {
  const post = await serve(t, {
    '.manifest': JSON.stringify({ revision: 'w2', roots: [''], wasm: [{ entrypoint: 'fixture/allow', module: '/policy.wasm' }] }),
    'policy.wasm': await buildWasmFixture(),
    'fixture/policy.rego': 'package fixture\n\nallow if no_such_builtin(input)\n',
    'limits/data.json': JSON.stringify({ payment_max: 500 }),
  });
  t.match(await post('/fixture/allow', { allow: true }), { status: 200, body: { result: true } }, 'the module still serves');
  t.match(await post('/limits/payment_max', {}), { status: 200, body: { result: 500 } }, 'data documents still answer');
  const above = await post('/fixture', {});
  t.equal(above.status, 200);
  t.notOk('result' in above.body);
});
