// data.system.bundles, as OPA keeps it: for each active bundle its manifest (revision, roots,
// metadata, …) and the ETag it was served with, so policies can read them.
import type { PreparedBundle } from './activate.js';
import { isRecord } from './manifest.js';

export function systemBundlesDoc(bundles: readonly PreparedBundle[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const b of bundles) setOwn(out, b.name, { manifest: structuredClone(b.manifestDoc), etag: b.etag });
  return out;
}

/** Writes data.system.bundles into a merged data tree (a bundle's own data.system is kept beside it;
 * per-name entries are the manifests, as in OPA, where activation writes them last). */
export function mountSystemBundles(data: Record<string, unknown>, bundles: readonly PreparedBundle[]): void {
  if (!Object.hasOwn(data, 'system')) setOwn(data, 'system', {});
  const system = data.system;
  // A bundle that put a non-object at data.system leaves no room for it (its own choice of roots).
  if (!isRecord(system)) return;
  if (!Object.hasOwn(system, 'bundles') || !isRecord(system.bundles)) setOwn(system, 'bundles', {});
  const target = system.bundles as Record<string, unknown>;
  for (const [name, doc] of Object.entries(systemBundlesDoc(bundles))) setOwn(target, name, doc);
}

function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}
