// A delta bundle turned into the next version of its bundle: the active snapshot's policies and
// manifest scope, with its data patched. Refused (the active version keeps serving) where OPA
// refuses a delta: policy/data/wasm files beside patch.json, manifest roots or wasm resolvers that
// differ from the snapshot's, patch paths outside the roots, an operation that cannot apply.
import { createHash } from 'node:crypto';
import type { PreparedBundle, PrepareOptions } from './activate.js';
import { MANIFEST_FILE } from './assemble.js';
import { checkDataRoots, DATA_FILE_NAMES } from './data.js';
import { applyPatches, checkPatchRoots, PATCH_FILE, type PatchOperation } from './delta.js';
import { BundleError } from './errors.js';
import { opaManifestDoc, parseManifest, type ParsedManifest } from './manifest.js';
import { rootSegments } from './paths.js';
import { verifyBundleSignature, type Verifier } from './signature.js';

export interface DeltaOptions extends PrepareOptions {
  /** Persistence is on: OPA refuses delta bundles then (a patch cannot be persisted as a bundle). */
  persisting?: boolean;
}

export async function prepareDelta(
  name: string,
  files: ReadonlyMap<string, Uint8Array>,
  ops: readonly PatchOperation[],
  active: PreparedBundle | undefined,
  verifier: Verifier | null,
  deltaDigest: string,
  opts: DeltaOptions = {},
): Promise<PreparedBundle> {
  const label = `delta bundle ${JSON.stringify(name)}`;
  if (opts.persisting) {
    throw new BundleError(
      'BUNDLE_DELTA_UNSUPPORTED',
      `${label}: persisting a delta bundle is not supported (persist_dir is set); serve snapshots, or turn persistence off`,
    );
  }
  // OPA skips signature checks for deltas; here a delta is verified like any bundle, so required
  // signing is never bypassed by serving a patch instead of a snapshot.
  const { signed, issuedAt } = await verifyBundleSignature(files, verifier, opts);
  for (const path of files.keys()) {
    const base = path.slice(path.lastIndexOf('/') + 1);
    const what = path.endsWith('.rego') ? 'policy' : DATA_FILE_NAMES.has(base) ? 'data' : base === 'policy.wasm' ? 'wasm' : null;
    if (what) throw new BundleError('BUNDLE_DELTA_INVALID', `${label} must hold only ${PATCH_FILE} (and .manifest), but ${what} file ${path} was found`);
  }
  const manifest = parseManifest(files.get(MANIFEST_FILE));
  checkPatchRoots(ops, manifest.roots);

  if (active === undefined && !opts.dataOnly) {
    throw new BundleError(
      'BUNDLE_DELTA_NO_SNAPSHOT',
      `${label} arrived before any snapshot of the bundle; a delta patches data only, and this bundle is not data_only (serve a snapshot first)`,
    );
  }
  if (active !== undefined) checkSameScope(label, manifest, active.bundle.manifest);

  const base = active ? structuredClone(active.bundle.data) : {};
  const data = applyPatches(base, ops);
  checkDataRoots(data, manifest.roots);

  // The policies and their parse settings stay the snapshot's; revision and metadata are the delta's.
  const kept: ParsedManifest = active ? { ...active.bundle.manifest } : { ...manifest };
  delete kept.revision;
  delete kept.metadata;
  const next: ParsedManifest = {
    ...kept,
    ...(manifest.revision !== undefined ? { revision: manifest.revision } : {}),
    ...(manifest.metadata !== undefined ? { metadata: manifest.metadata } : {}),
  };
  // Changes with every delta applied, and depends on what it was applied to.
  const digest = createHash('sha256')
    .update(`delta\0${active?.digest ?? ''}\0${deltaDigest}`)
    .digest('hex');
  const revision = manifest.revision ? manifest.revision : `sha256:${digest.slice(0, 16)}`;
  const signedAt = issuedAt ?? active?.signedAt;
  return {
    name,
    bundle: {
      name,
      manifest: next,
      modules: active?.bundle.modules ?? [],
      data,
      wasm: active?.bundle.wasm ?? [],
      files: active?.bundle.files ?? new Map(),
      ...(active?.bundle.signatures !== undefined ? { signatures: active.bundle.signatures } : {}),
    },
    digest,
    revision,
    kind: active?.kind ?? 'rego',
    signed,
    ...(signedAt !== undefined ? { signedAt } : {}),
    etag: opts.etag ?? '',
    manifestDoc: opaManifestDoc(manifest),
    delta: true,
  };
}

/** OPA: a delta cannot change the bundle's scope (roots) or its wasm resolvers. */
function checkSameScope(label: string, delta: ParsedManifest, active: ParsedManifest): void {
  const key = (roots: readonly string[]): string => JSON.stringify([...new Set(roots.map((r) => rootSegments(r).join('/')))].sort());
  if (key(delta.roots) !== key(active.roots)) {
    throw new BundleError(
      'BUNDLE_DELTA_MANIFEST_MISMATCH',
      `${label} has manifest roots ${JSON.stringify(delta.roots)}, but the active snapshot has ${JSON.stringify(active.roots)}; a delta cannot change a bundle's roots`,
    );
  }
  const wasm = (m: ParsedManifest): string => JSON.stringify(m.wasm.map((w) => [w.entrypoint, w.module]));
  if (wasm(delta) !== wasm(active)) {
    throw new BundleError('BUNDLE_DELTA_MANIFEST_MISMATCH', `${label} has wasm resolvers that differ from the active snapshot's; a delta cannot change them`);
  }
}
