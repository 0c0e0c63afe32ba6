// `pdp bundle build -t wasm -e …` (OPA's `opa build -t wasm`): the bundle it writes holds
// /policy.wasm and the manifest's "wasm" entries, and the service, listening for real, answers the
// repo's decisions from that bundle (opa-wasm engine) exactly as it answers them from the sources.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import t, { type Test } from 'tap';
import { DEFAULT_BUNDLE_LIMITS } from '../../src/bundles/limits.js';
import { readTarball } from '../../src/bundles/read-tarball.js';
import { startServer } from '../../src/server.js';
import { writeTree } from '../helpers/bundle-files.js';
import { testConfig } from '../helpers/config.js';
import { runCli } from '../helpers/cli.js';

const repo = path.resolve(import.meta.dirname, '../..');
const ENTRYPOINTS = ['ai/tools/decision', 'ai/deployment/decision', 'system/log/mask'];

async function serve(t: Test, bundlePath: string): Promise<string> {
  // The shared test budget (10 s), not the 250 ms default: the two servers share one event loop,
  // and a wasm worker starved past the default on a loaded CI machine used up both requests' budgets.
  const s = await startServer(testConfig({ PDP_BUNDLE_PATH: bundlePath, PDP_BUNDLE_WATCH: 'false' }));
  t.teardown(() => s.close());
  return s.url;
}

t.test('a wasm bundle of the repo policies answers like the sources, over HTTP', async (t) => {
  const dir = t.testdir();
  const out = path.join(dir, 'bundle.tar.gz');
  const args = ['bundle', 'build', path.join(repo, 'policies'), '-t', 'wasm', '-o', out, '--revision', 'w1'];
  for (const e of ENTRYPOINTS) args.push('-e', e);
  const r = await runCli(args, dir);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /policy\.wasm \(3 entrypoint\(s\), \d+ bytes\)/);
  t.match(r.err, /calls these builtins on its host: .*regex\.match/, 'names the builtins left to the host');

  const files = await readTarball(new Uint8Array(await readFile(out)), DEFAULT_BUNDLE_LIMITS);
  const manifest = JSON.parse(new TextDecoder().decode(files.get('.manifest') ?? files.get('/.manifest'))) as { wasm: unknown[]; revision: string };
  t.same(
    manifest.wasm,
    ENTRYPOINTS.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })),
  );
  t.equal(manifest.revision, 'w1');
  const wasm = files.get('policy.wasm') ?? files.get('/policy.wasm');
  t.ok(wasm && WebAssembly.validate(new Uint8Array(wasm)), 'policy.wasm is a valid module');
  t.ok(
    [...files.keys()].some((k) => k.endsWith('.rego')),
    'the Rego sources ride along, as in opa build -t wasm bundles',
  );

  const [compiled, source] = await Promise.all([serve(t, out), serve(t, path.join(repo, 'policies'))]);
  const status = (await (await fetch(`${compiled}/v1/pdp/status`)).json()) as { bundles: { engine: string }[] };
  t.match(status.bundles, [{ engine: 'wasm' }], 'served by the opa-wasm engine');

  const post = async (base: string, p: string, input: unknown): Promise<unknown> => {
    const res = await fetch(`${base}/v1/data/${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
    const text = await res.text();
    t.equal(res.status, 200, `${p} on ${base}: ${text.slice(0, 300)}`);
    return (JSON.parse(text) as { result?: unknown }).result;
  };
  let n = 0;
  for (const [kind, ep] of [
    ['tool-call', 'ai/tools/decision'],
    ['model-deployment', 'ai/deployment/decision'],
  ]) {
    for (const name of (await readdir(path.join(repo, 'examples', kind))).filter((x) => x.endsWith('.json'))) {
      const input: unknown = JSON.parse(await readFile(path.join(repo, 'examples', kind, name), 'utf8'));
      const [a, b] = await Promise.all([post(compiled, ep, input), post(source, ep, input)]);
      // the deployment decision reads the clock (valid_until): both servers read the same day
      t.same(a, b, `${kind}/${name}: the same decision from the wasm bundle`);
      n++;
    }
  }
  t.ok(n >= 20, `${n} examples`);
});

t.test('usage: targets, entrypoints, and what the wasm target refuses', async (t) => {
  const dir = t.testdir();
  await writeTree(dir, {
    'src/p.rego': 'package p\n\nallow if input.user == "alice"\n\nf(x) := x\n\ndoc := data.p.f\n',
  });
  let r = await runCli(['bundle', 'build', 'src', '-o', 'x.tar.gz', '-t', 'wasm'], dir);
  t.equal(r.code, 2);
  t.match(r.err, /at least one entrypoint/);
  r = await runCli(['bundle', 'build', 'src', '-o', 'x.tar.gz', '-e', 'p/allow'], dir);
  t.equal(r.code, 2);
  t.match(r.err, /-e needs -t wasm/);
  r = await runCli(['bundle', 'build', 'src', '-o', 'x.tar.gz', '-t', 'plan', '-e', 'p/allow'], dir);
  t.equal(r.code, 2);
  t.match(r.err, /-t must be rego or wasm/);

  r = await runCli(['bundle', 'build', 'src', '-o', 'x.tar.gz', '-t', 'wasm', '-e', 'data'], dir);
  t.equal(r.code, 2);
  t.match(r.err, /not the whole of data/);
  r = await runCli(['bundle', 'build', 'src', '-o', 'x.tar.gz', '-t', 'wasm', '-e', 'p/allow', '-e', 'q/nothing'], dir);
  t.equal(r.code, 1);
  t.match(r.err, /no rule or data at entrypoint q\/nothing/);

  r = await runCli(['bundle', 'build', 'src', '-o', 'x.tar.gz', '-t', 'wasm', '-e', 'p/doc'], dir);
  t.equal(r.code, 1);
  t.match(r.err, /function data\.p\.f read as a document: not supported by -t wasm/);
  t.rejects(stat(path.join(dir, 'x.tar.gz')), 'nothing written');

  r = await runCli(['bundle', 'build', 'src', '-o', 'x.tar.gz', '-t', 'wasm', '-e', 'data.p.allow'], dir);
  t.equal(r.code, 0, r.err);
  const files = await readTarball(new Uint8Array(await readFile(path.join(dir, 'x.tar.gz'))), DEFAULT_BUNDLE_LIMITS);
  const manifest = JSON.parse(new TextDecoder().decode(files.get('.manifest') ?? files.get('/.manifest'))) as { wasm: unknown[] };
  t.same(manifest.wasm, [{ entrypoint: 'p/allow', module: '/policy.wasm' }], 'data.p.allow is written as OPA writes entrypoints');
  t.equal(r.err, '', 'no host builtins, no warning');
});
