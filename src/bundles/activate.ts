// Activation: verify → assemble → compile/instantiate → a new immutable PolicySet.
// Nothing here touches the active snapshot; the manager swaps it in only when all steps succeed.
import { createHash } from 'node:crypto';
import type { EngineKind } from '../engines/types.js';
import { RegoEngine } from '../engines/rego.js';
import { WasmEngine, type WasmEngineOptions } from '../engines/wasm.js';
import { assembleBundle, type AssembledBundle } from './assemble.js';
import { mountData } from './data.js';
import { BundleError } from './errors.js';
import { rootsOverlap } from './paths.js';
import { PolicySet, type RoutedBundle } from './policy-set.js';
import { verifyBundleSignature, type Verifier } from './signature.js';

export interface PreparedBundle {
  name: string;
  bundle: AssembledBundle;
  /** sha256 over every file's path and bytes */
  digest: string;
  /** the manifest revision, or "sha256:<digest prefix>" when the manifest names none */
  revision: string;
  kind: EngineKind;
  signed: boolean;
}

export interface Snapshot {
  bundles: ReadonlyMap<string, PreparedBundle>;
  rego: RegoEngine | null;
  wasm: ReadonlyMap<string, WasmEngine>;
  set: PolicySet;
}

/** Identity of a bundle's content, independent of how it was packed (tar order, mtimes). */
export function digestFiles(files: ReadonlyMap<string, Uint8Array>): string {
  const h = createHash('sha256');
  for (const path of [...files.keys()].sort()) {
    const bytes = files.get(path) as Uint8Array;
    h.update(`${path}\0${bytes.byteLength}\0`);
    h.update(bytes);
  }
  return h.digest('hex');
}

/** Signature first, so nothing in an unverified bundle is parsed beyond what hashing needs. */
export async function prepareBundle(
  name: string,
  files: ReadonlyMap<string, Uint8Array>,
  verifier: Verifier | null,
  digest = digestFiles(files),
): Promise<PreparedBundle> {
  const { signed } = await verifyBundleSignature(files, verifier);
  const bundle = assembleBundle(name, files);
  const revision = bundle.manifest.revision ? bundle.manifest.revision : `sha256:${digest.slice(0, 16)}`;
  return { name, bundle, digest, revision, kind: bundle.wasm.length > 0 ? 'wasm' : 'rego', signed };
}

/**
 * A snapshot with `next` replacing (or joining) the bundle of the same name. All Rego bundles are
 * compiled together into one engine, as OPA does; each wasm bundle keeps its own instance, so
 * replacing one wasm bundle leaves the others' instances untouched.
 */
export async function activate(prev: Snapshot | null, next: PreparedBundle, wasmOpts: WasmEngineOptions = {}): Promise<Snapshot> {
  const others = [...(prev?.bundles.values() ?? [])].filter((b) => b.name !== next.name);
  checkDisjoint(next, others);
  const all = [...others, next].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  let rego = prev?.rego ?? null;
  const replaced = prev?.bundles.get(next.name);
  if (next.kind === 'rego' || replaced?.kind === 'rego') rego = compileRego(all.filter((b) => b.kind === 'rego'));

  const wasm = new Map(prev?.wasm ?? []);
  wasm.delete(next.name);
  if (next.kind === 'wasm') wasm.set(next.name, await loadWasm(next, wasmOpts));

  const routed: RoutedBundle[] = all.map((b) => {
    const engine = b.kind === 'wasm' ? wasm.get(b.name) : rego;
    if (!engine) throw new Error(`no engine for bundle ${b.name}`); // unreachable: every kind got one above
    return { name: b.name, roots: b.bundle.manifest.roots, revision: b.revision, digest: b.digest, engine };
  });
  return { bundles: new Map(all.map((b) => [b.name, b])), rego, wasm, set: new PolicySet(routed) };
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

function compileRego(bundles: PreparedBundle[]): RegoEngine | null {
  if (bundles.length === 0) return null;
  // One engine for all source bundles (as OPA does); each module keeps its bundle's rego_version.
  const modules = bundles.flatMap((b) => {
    const regoVersion = b.bundle.manifest.rego_version === 0 ? 0 : 1;
    return b.bundle.modules.map((m) => ({ file: `${b.name}/${m.path}`, source: m.source, regoVersion: regoVersion as 0 | 1 }));
  });
  const data: Record<string, unknown> = {};
  // Roots are disjoint, so merging cannot conflict; clone so later merges never touch a bundle's own tree.
  for (const b of bundles) mountData(data, [], structuredClone(b.bundle.data), b.name);
  return RegoEngine.compile(modules, data);
}

async function loadWasm(b: PreparedBundle, opts: WasmEngineOptions): Promise<WasmEngine> {
  const byModule = new Map<string, { path: string; bytes: Uint8Array; entrypoints: string[] }>();
  for (const w of b.bundle.wasm) {
    const spec = byModule.get(w.path) ?? { path: w.path, bytes: w.module, entrypoints: [] };
    spec.entrypoints.push(w.entrypoint);
    byModule.set(w.path, spec);
  }
  return WasmEngine.load([...byModule.values()], b.bundle.data, opts);
}
