// `pdp bundle build <dir> -o bundle.tar.gz [--revision R] [-t wasm -e path…]`: write an OPA bundle
// (with `-t wasm`, also /policy.wasm for the entrypoints, as `opa build -t wasm`). The directory's
// modules must compile (with its data), and every entrypoint plan; otherwise nothing is written.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeThrown } from '../../shared/errors.js';
import { CliError, type CliIO } from '../io.js';
import { compileSources, printCompileErrors } from '../policy.js';
import { loadSources, type Manifest } from '../sources.js';
import { writeTarGz } from '../tarball.js';
import { buildWasm, type WasmBuild } from '../../rego/wasm/build.js';
import { WasmPlanError } from '../../rego/wasm/planner.js';
import { readClaims, readSigningKey, signBundleFiles, type SigningOptions } from '../bundle-sign.js';

const segments = (root: string): string[] => root.split('/').filter((s) => s !== '');
const under = (roots: string[], p: string[]): boolean => roots.some((r) => segments(r).every((s, i) => p[i] === s) && segments(r).length <= p.length);

/** Top-level names owned by the bundle: first segment of every package and data mount. */
export function deriveRoots(packages: string[][], data: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const p of packages) if (p.length > 0) names.add(p[0]);
  for (const k of Object.keys(data)) names.add(k);
  return [...names].sort();
}

export async function bundleCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'build' && sub !== 'sign') throw new CliError('usage', 'pdp bundle: the subcommands are `build` and `sign` (see pdp bundle --help)');
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      revision: { type: 'string' },
      'signing-key': { type: 'string' },
      'signing-alg': { type: 'string', default: 'RS256' },
      'signing-key-id': { type: 'string' },
      'claims-file': { type: 'string' },
      scope: { type: 'string' },
      target: { type: 'string', short: 't', default: 'rego' },
      entrypoint: { type: 'string', short: 'e', multiple: true },
    },
  });
  if (values.target !== 'rego' && values.target !== 'wasm')
    throw new CliError('usage', `pdp bundle build: -t must be rego or wasm, not ${JSON.stringify(values.target)}`);
  const entrypoints = (values.entrypoint ?? []).map(entrypointPath);
  if (entrypoints.some((e) => e === '')) throw new CliError('usage', 'pdp bundle build: an entrypoint names a rule (-e path/to/rule), not the whole of data');
  if (values.target === 'wasm' && entrypoints.length === 0)
    throw new CliError('usage', 'pdp bundle build -t wasm: give at least one entrypoint (-e path/to/rule)');
  if (values.target === 'rego' && entrypoints.length > 0) throw new CliError('usage', 'pdp bundle build: -e needs -t wasm');
  let signing: SigningOptions | undefined;
  if (values['signing-key'] !== undefined) {
    signing = {
      key: await readSigningKey(values['signing-key'], io.cwd),
      alg: values['signing-alg'],
      ...(values['signing-key-id'] !== undefined ? { keyId: values['signing-key-id'] } : {}),
      ...(values.scope !== undefined ? { scope: values.scope } : {}),
      ...(values['claims-file'] !== undefined ? { claims: await readClaims(values['claims-file'], io.cwd) } : {}),
    };
  } else if (sub === 'sign') {
    throw new CliError('usage', 'pdp bundle sign: --signing-key is required');
  }
  if (positionals.length !== 1) throw new CliError('usage', `pdp bundle ${sub}: give exactly one directory`);
  if (sub === 'sign') return signCommand(positionals[0], signing!, values.output, io);
  if (!values.output) throw new CliError('usage', 'pdp bundle build: -o <bundle.tar.gz> is required');
  const dir = positionals[0];

  const isDir = await stat(path.resolve(io.cwd, dir)).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new CliError('usage', `pdp bundle build: ${dir} is not a directory`);
  const sources = await loadSources([dir], io.cwd, { mode: 'bundle' });
  const compiled = compileSources(sources);
  if (!compiled.ok) {
    printCompileErrors(io, compiled.errors);
    io.err(`pdp bundle build: ${dir} does not compile; no bundle written\n`);
    return 1;
  }
  const packages = compiled.policy.modules.map((m) => m.package);
  const manifest: Manifest = { ...(sources.manifest ?? {}) };
  if (values.revision !== undefined) manifest.revision = values.revision;
  if (manifest.revision === undefined) manifest.revision = '';
  if (manifest.roots === undefined) {
    manifest.roots = deriveRoots(packages, sources.data);
  } else {
    const roots = manifest.roots;
    const outside = [
      ...packages.filter((p) => !under(roots, p)).map((p) => `package ${p.join('.')}`),
      ...sources.files.filter((f) => f.kind === 'data' && !under(roots, f.mount ?? [])).map((f) => `data file ${f.bundlePath}`),
    ];
    if (outside.length > 0) {
      for (const o of outside) io.err(`${o} is outside the manifest roots ${JSON.stringify(roots)}\n`);
      io.err(`pdp bundle build: ${dir}/.manifest roots do not cover the bundle; no bundle written\n`);
      return 1;
    }
  }

  let wasm: WasmBuild | undefined;
  if (values.target === 'wasm') {
    const unknown = entrypoints.filter((e) => !compiled.policy.mayDefine(e));
    if (unknown.length > 0) {
      io.err(`pdp bundle build: no rule or data at entrypoint ${unknown.join(', ')} in ${dir}; no bundle written\n`);
      return 1;
    }
    try {
      wasm = buildWasm(compiled.policy, entrypoints);
    } catch (e) {
      if (!(e instanceof WasmPlanError)) throw e;
      io.err(`${e.message}: not supported by -t wasm\npdp bundle build: no bundle written\n`);
      return 1;
    }
    manifest.wasm = entrypoints.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' }));
  }
  const entries: { name: string; body: Uint8Array }[] = [{ name: '/.manifest', body: new TextEncoder().encode(JSON.stringify(manifest) + '\n') }];
  if (wasm) entries.push({ name: '/policy.wasm', body: wasm.wasm });
  for (const f of [...sources.files].sort((a, b) => (a.bundlePath < b.bundlePath ? -1 : 1))) {
    entries.push({ name: '/' + f.bundlePath, body: await readFile(f.diskPath) });
  }
  if (signing) entries.push({ name: '/.signatures.json', body: await signBundleFiles(entries, signing) });
  const out = path.resolve(io.cwd, values.output);
  try {
    await writeFile(out, await writeTarGz(entries));
  } catch (e) {
    throw new CliError('io_error', `${values.output}: ${describeThrown(e)}`);
  }
  const nMod = sources.files.filter((f) => f.kind === 'module').length;
  const nData = sources.files.length - nMod;
  io.out(
    `wrote ${values.output}: ${nMod} module(s), ${nData} data file(s),${wasm ? ` policy.wasm (${entrypoints.length} entrypoint(s), ${wasm.wasm.byteLength} bytes),` : ''}${signing ? ' signed,' : ''} revision ${JSON.stringify(manifest.revision)}, roots ${JSON.stringify(manifest.roots)}\n`,
  );
  if (wasm && wasm.hostBuiltins.length > 0) {
    io.err(
      `policy.wasm calls these builtins on its host: ${wasm.hostBuiltins.join(', ')} (the service provides them; other OPA wasm SDKs need them as custom builtins)\n`,
    );
  }
  if (wasm && wasm.minPages > 5) io.err(`policy.wasm needs at least ${wasm.minPages} pages of memory from its host (opa-wasm's default is 5)\n`);
  return 0;
}

/** `-e a/b`, `a.b` or `data.a.b` → `a/b` (OPA's entrypoint form). */
function entrypointPath(e: string): string {
  const segs = e.split(/[./]/).filter((s) => s !== '');
  return (segs[0] === 'data' ? segs.slice(1) : segs).join('/');
}

/**
 * `pdp bundle sign <dir>` (`opa sign --bundle`): writes <dir>/.signatures.json (or -o FILE) over the
 * files a bundle of <dir> holds: its .manifest, .rego files and data.json/data.yaml files.
 */
async function signCommand(dir: string, signing: SigningOptions, output: string | undefined, io: CliIO): Promise<number> {
  const root = path.resolve(io.cwd, dir);
  const isDir = await stat(root).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new CliError('usage', `pdp bundle sign: ${dir} is not a directory`);
  const sources = await loadSources([dir], io.cwd, { mode: 'bundle' });
  const entries: { name: string; body: Uint8Array }[] = [];
  const manifest = await readFile(path.join(root, '.manifest')).catch(() => undefined);
  if (manifest) entries.push({ name: '.manifest', body: manifest });
  for (const f of [...sources.files].sort((a, b) => (a.bundlePath < b.bundlePath ? -1 : 1)))
    entries.push({ name: f.bundlePath, body: await readFile(f.diskPath) });
  const out = path.resolve(io.cwd, output ?? path.join(dir, '.signatures.json'));
  try {
    await writeFile(out, await signBundleFiles(entries, signing));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError('io_error', `${out}: ${describeThrown(e)}`);
  }
  io.out(`wrote ${path.relative(io.cwd, out) || out}: ${entries.length} file(s) signed with ${signing.alg}\n`);
  return 0;
}
