// Parses and validates `/.manifest`.
import { BundleError } from './errors.js';
import { normalizeBundlePath, normalizeRoot, rootsOverlap } from './paths.js';
import { compileFileRegoVersions, regoVersionForFile, type FileRegoVersion } from './rego-versions.js';
import type { BundleManifest } from './types.js';

/** The manifest with defaults applied: roots normalized (`[""]`, the whole tree, when absent). */
export interface ParsedManifest extends BundleManifest {
  roots: string[];
  wasm: { entrypoint: string; module: string }[];
  /** file_rego_versions, compiled */
  fileRegoVersions: FileRegoVersion[];
}

/** The Rego version a module of this bundle is parsed with: its file_rego_versions entry, else the
 * bundle's rego_version, else v1. */
export function moduleRegoVersion(m: ParsedManifest, path: string): 0 | 1 {
  return regoVersionForFile(m.fileRegoVersions, path) ?? (m.rego_version === 0 ? 0 : 1);
}

export function parseManifest(bytes: Uint8Array | undefined): ParsedManifest {
  if (bytes === undefined) return { roots: [''], wasm: [], fileRegoVersions: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw invalid(`.manifest is not valid JSON: ${(e as Error).message}`);
  }
  if (!isRecord(doc)) throw invalid('.manifest must be a JSON object');

  const out: ParsedManifest = { roots: [''], wasm: [], fileRegoVersions: [] };
  if (doc.revision !== undefined) {
    if (typeof doc.revision !== 'string') throw invalid('.manifest revision must be a string');
    out.revision = doc.revision;
  }
  if (doc.roots !== undefined) {
    if (!Array.isArray(doc.roots) || !doc.roots.every((r): r is string => typeof r === 'string')) {
      throw invalid('.manifest roots must be an array of strings');
    }
    out.roots = [...new Set(doc.roots.map(normalizeRoot))];
  }
  if (doc.rego_version !== undefined) {
    if (doc.rego_version !== 0 && doc.rego_version !== 1) throw invalid('.manifest rego_version must be 0 or 1');
    out.rego_version = doc.rego_version;
  }
  if (doc.metadata !== undefined) {
    if (!isRecord(doc.metadata)) throw invalid('.manifest metadata must be an object');
    out.metadata = doc.metadata;
  }
  if (doc.wasm !== undefined) {
    if (!Array.isArray(doc.wasm)) throw invalid('.manifest wasm must be an array');
    for (const w of doc.wasm) {
      if (!isRecord(w) || typeof w.entrypoint !== 'string' || typeof w.module !== 'string') {
        throw invalid('.manifest wasm entries need string "entrypoint" and "module"');
      }
      out.wasm.push({ entrypoint: normalizeRoot(w.entrypoint), module: normalizeBundlePath(w.module) });
    }
  }
  if (doc.file_rego_versions !== undefined) {
    if (!isRecord(doc.file_rego_versions)) throw invalid('.manifest file_rego_versions must be an object of glob pattern → 0 or 1');
    out.fileRegoVersions = compileFileRegoVersions(doc.file_rego_versions);
    out.file_rego_versions = Object.fromEntries(out.fileRegoVersions.map((f) => [f.pattern, f.version]));
  }

  for (let i = 0; i < out.roots.length; i++) {
    for (let j = i + 1; j < out.roots.length; j++) {
      if (rootsOverlap(out.roots[i], out.roots[j])) {
        throw new BundleError('BUNDLE_ROOTS_OVERLAP', `.manifest has overlapping roots ${JSON.stringify(out.roots[i])} and ${JSON.stringify(out.roots[j])}`);
      }
    }
  }
  return out;
}

/** The manifest as OPA stores it at data.system.bundles[name].manifest: revision always (OPA
 * writes "" when there is none), roots always, the other fields when present. */
export function opaManifestDoc(m: ParsedManifest): Record<string, unknown> {
  return {
    revision: m.revision ?? '',
    roots: [...m.roots],
    ...(m.wasm.length > 0 ? { wasm: m.wasm.map((w) => ({ entrypoint: w.entrypoint, module: w.module })) } : {}),
    ...(m.rego_version !== undefined ? { rego_version: m.rego_version } : {}),
    ...(m.file_rego_versions !== undefined && Object.keys(m.file_rego_versions).length > 0 ? { file_rego_versions: { ...m.file_rego_versions } } : {}),
    ...(m.metadata !== undefined ? { metadata: structuredClone(m.metadata) } : {}),
  };
}

function invalid(msg: string): BundleError {
  return new BundleError('BUNDLE_INVALID_MANIFEST', msg);
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
