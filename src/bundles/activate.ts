// Activation: verify → assemble → compile/instantiate → a new immutable PolicySet.
// Nothing here touches the active snapshot; the manager swaps it in only when all steps succeed.
import type { EngineKind } from '../engines/types.js';
import { RegoEngine } from '../engines/rego.js';
import { WasmEngine, type WasmEngineOptions } from '../engines/wasm.js';
import { assembleBundle, type AssembledBundle } from './assemble.js';
import { digestFiles } from './digest.js';
import { mountData } from './data.js';
import { moduleRegoVersion, opaManifestDoc } from './manifest.js';
import { mountSystemBundles, systemBundlesDoc } from './system-bundles.js';
import { BundleError } from './errors.js';
import { rootsOverlap } from './paths.js';
import { PolicySet, type RoutedBundle } from './policy-set.js';
import { verifyBundleSignature, type Verifier, type VerifyOptions } from './signature.js';

/** Requests are bounded by their time budget (seconds); a retired engine outlives them all. */
const RETIRED_ENGINE_GRACE_MS = 60_000;

export interface PreparedBundle {
  name: string;
  bundle: AssembledBundle;
  /** sha256 over every file's path and bytes */
  digest: string;
  /** the manifest revision, or "sha256:<digest prefix>" when the manifest names none */
  revision: string;
  kind: EngineKind;
  signed: boolean;
  /** The signature's iat (rollback guard). */
  signedAt?: number;
  /** The ETag it was served with ("" when none), as OPA records it at data.system.bundles[name].etag. */
  etag: string;
  /** The manifest as OPA records it at data.system.bundles[name].manifest (a delta's own manifest). */
  manifestDoc: Record<string, unknown>;
  /** Produced by applying a delta bundle to the previous version. */
  delta?: boolean;
}

export interface Snapshot {
  bundles: ReadonlyMap<string, PreparedBundle>;
  rego: RegoEngine | null;
  wasm: ReadonlyMap<string, WasmEngine>;
  set: PolicySet;
}

export interface PrepareOptions extends VerifyOptions {
  /** A bundle of data alone is acceptable (else it is refused as a likely bad upload). */
  dataOnly?: boolean;
  /** The ETag the bundle was served with. */
  etag?: string;
}

/** Signature first, so nothing in an unverified bundle is parsed beyond what hashing needs. */
export async function prepareBundle(
  name: string,
  files: ReadonlyMap<string, Uint8Array>,
  verifier: Verifier | null,
  digest = digestFiles(files),
  opts: PrepareOptions = {},
): Promise<PreparedBundle> {
  const { signed, issuedAt } = await verifyBundleSignature(files, verifier, opts);
  const bundle = assembleBundle(name, files);
  checkNotEmpty(name, files, bundle, opts);
  const revision = bundle.manifest.revision ? bundle.manifest.revision : `sha256:${digest.slice(0, 16)}`;
  return {
    name,
    bundle,
    digest,
    revision,
    kind: bundle.wasm.length > 0 ? 'wasm' : 'rego',
    signed,
    ...(issuedAt !== undefined ? { signedAt: issuedAt } : {}),
    etag: opts.etag ?? '',
    manifestDoc: opaManifestDoc(bundle.manifest),
  };
}

/**
 * A snapshot with `next` replacing (or joining) the bundle of the same name. All Rego bundles are
 * compiled together into one engine, as OPA does; each wasm bundle keeps its own instance, so
 * replacing one wasm bundle leaves the others' instances untouched.
 */
export async function activate(
  prev: Snapshot | null,
  next: PreparedBundle,
  wasmOpts: WasmEngineOptions = {},
  decisionPaths: readonly string[] = [],
  compiledPaths: readonly string[] = [],
): Promise<Snapshot> {
  const others = [...(prev?.bundles.values() ?? [])].filter((b) => b.name !== next.name);
  checkDisjoint(next, others);
  const all = [...others, next].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  let rego = prev?.rego ?? null;
  // Rego policies read every bundle's manifest at data.system.bundles, so the Rego engine is
  // rebuilt whenever any bundle changes while it exists.
  if (next.kind === 'rego' || rego !== null)
    rego = compileRego(
      all.filter((b) => b.kind === 'rego'),
      all,
      compiledPaths,
    );

  const wasm = new Map(prev?.wasm ?? []);
  const replacedWasm = wasm.get(next.name);
  wasm.delete(next.name);
  const loaded = next.kind === 'wasm' ? await loadWasm(next, wasmOpts) : undefined;
  if (loaded) wasm.set(next.name, loaded);

  const routed: RoutedBundle[] = all.map((b) => {
    const engine = b.kind === 'wasm' ? wasm.get(b.name) : rego;
    if (!engine) throw new Error(`no engine for bundle ${b.name}`); // unreachable: every kind got one above
    return { name: b.name, roots: b.bundle.manifest.roots, revision: b.revision, digest: b.digest, engine };
  });
  const set = new PolicySet(routed, systemBundlesDoc(all));
  try {
    checkKeepsDecisions(prev, set, next.name, decisionPaths);
  } catch (e) {
    loaded?.close();
    throw e;
  }
  // Its worker thread ends once requests that took the previous snapshot are long answered.
  if (replacedWasm) setTimeout(() => replacedWasm.close(), RETIRED_ENGINE_GRACE_MS).unref();
  return { bundles: new Map(all.map((b) => [b.name, b])), rego, wasm, set };
}

/** An empty tarball, a manifest alone, or data where policies were expected is a bad upload, not
 * a new policy: activating it would turn every decision into a deny (or worse, an undefined). */
function checkNotEmpty(name: string, files: ReadonlyMap<string, Uint8Array>, bundle: AssembledBundle, opts: PrepareOptions): void {
  const policies = bundle.modules.length + bundle.wasm.length;
  if (files.size === 0 || (policies === 0 && Object.keys(bundle.data).length === 0)) {
    throw new BundleError('BUNDLE_EMPTY', `bundle ${JSON.stringify(name)} holds no policy and no data (${files.size} files)`);
  }
  if (policies === 0 && !opts.dataOnly) {
    throw new BundleError(
      'BUNDLE_NO_POLICIES',
      `bundle ${JSON.stringify(name)} holds data but no policy; configure it with data_only: true if that is intended`,
    );
  }
}

/** A new revision of a bundle must still define every decision path the one it replaces defined
 * (a bundle cut short, or the wrong bundle uploaded, would otherwise deny everything). */
function checkKeepsDecisions(prev: Snapshot | null, next: PolicySet, name: string, decisionPaths: readonly string[]): void {
  if (!prev?.bundles.has(name)) return;
  for (const path of decisionPaths) {
    if (next.bundleFor(path) !== name && prev.set.bundleFor(path) !== name) continue;
    if (prev.set.mayDefine(path) && !next.mayDefine(path)) {
      throw new BundleError(
        'BUNDLE_DROPS_DECISION',
        `bundle ${JSON.stringify(name)}: the new revision defines nothing at data.${path.replace(/\//g, '.')}, which the active revision decides; refused (restart to drop a decision on purpose)`,
      );
    }
  }
}

function checkDisjoint(next: PreparedBundle, others: PreparedBundle[]): void {
  for (const o of others) {
    for (const a of next.bundle.manifest.roots) {
      for (const b of o.bundle.manifest.roots) {
        if (rootsOverlap(a, b)) {
          throw new BundleError(
            'BUNDLE_ROOTS_OVERLAP',
            `bundle ${JSON.stringify(next.name)} root ${JSON.stringify(a)} overlaps bundle ${JSON.stringify(o.name)} root ${JSON.stringify(b)}` +
              (a === '' || b === '' ? ' (a bundle without manifest roots owns all of data)' : ''),
          );
        }
      }
    }
  }
}

function compileRego(bundles: PreparedBundle[], all: readonly PreparedBundle[], hotPaths: readonly string[]): RegoEngine | null {
  if (bundles.length === 0) return null;
  // One engine for all source bundles (as OPA does); each module keeps its own Rego version
  // (file_rego_versions, else its bundle's rego_version).
  const modules = bundles.flatMap((b) =>
    b.bundle.modules.map((m) => ({ file: `${b.name}/${m.path}`, source: m.source, regoVersion: moduleRegoVersion(b.bundle.manifest, m.path) })),
  );
  const data: Record<string, unknown> = {};
  // Roots are disjoint, so merging cannot conflict; clone so later merges never touch a bundle's own tree.
  for (const b of bundles) mountData(data, [], structuredClone(b.bundle.data), b.name);
  mountSystemBundles(data, all);
  return RegoEngine.compile(modules, data, 1, hotPaths);
}

async function loadWasm(b: PreparedBundle, opts: WasmEngineOptions): Promise<WasmEngine> {
  const byModule = new Map<string, { path: string; bytes: Uint8Array; entrypoints: string[] }>();
  for (const w of b.bundle.wasm) {
    const spec = byModule.get(w.path) ?? { path: w.path, bytes: w.module, entrypoints: [] };
    spec.entrypoints.push(w.entrypoint);
    byModule.set(w.path, spec);
  }
  return WasmEngine.load([...byModule.values()], b.bundle.data, opts, sourceFallback(b));
}

/** `opa build -t wasm` bundles carry their Rego source: paths outside the entrypoints are then
 * evaluated from it, as OPA does. Source this engine cannot compile (a builtin it lacks…) must not
 * cost the bundle its compiled entrypoints: those paths are then answered from data alone. */
function sourceFallback(b: PreparedBundle): RegoEngine | undefined {
  if (b.bundle.modules.length === 0) return undefined;
  const regoVersion = b.bundle.manifest.rego_version === 0 ? 0 : 1;
  const modules = b.bundle.modules.map((m) => ({ file: `${b.name}/${m.path}`, source: m.source, regoVersion: regoVersion as 0 | 1 }));
  try {
    return RegoEngine.compile(modules, structuredClone(b.bundle.data), regoVersion);
  } catch {
    return undefined;
  }
}
