// Turns a bundle's files (from a directory or a tarball) into a RawBundle: manifest, modules,
// mounted data, wasm modules; checks everything against the manifest roots like OPA does.
import { parseModule } from '../rego/index.js';
import { BundleError } from './errors.js';
import { checkDataRoots, DATA_FILE_NAMES, mountData, parseDataFile } from './data.js';
import { moduleRegoVersion, parseManifest, type ParsedManifest } from './manifest.js';
import { rootsContain, rootSegments } from './paths.js';
import { packagePath } from './rego-package.js';
import type { RawBundle } from './types.js';

export const MANIFEST_FILE = '.manifest';
export const SIGNATURES_FILE = '.signatures.json';

export interface AssembledBundle extends RawBundle {
  manifest: ParsedManifest;
}

export function assembleBundle(name: string, files: ReadonlyMap<string, Uint8Array>): AssembledBundle {
  const manifest = parseManifest(files.get(MANIFEST_FILE));
  const paths = [...files.keys()].sort();
  const modules: RawBundle['modules'] = [];
  const data: Record<string, unknown> = {};

  for (const path of paths) {
    const bytes = files.get(path) as Uint8Array;
    const slash = path.lastIndexOf('/');
    const base = path.slice(slash + 1);
    if (path.endsWith('.rego')) {
      modules.push({ path, source: decodeModule(path, bytes) });
    } else if (DATA_FILE_NAMES.has(base)) {
      mountData(data, slash < 0 ? [] : path.slice(0, slash).split('/'), parseDataFile(path, bytes), path);
    }
  }

  for (const m of modules) {
    // Resolved here for every module, so an ambiguous file_rego_versions entry refuses the bundle.
    const regoVersion = moduleRegoVersion(manifest, m.path);
    const pkg = packagePath(m.source) ?? parsedPackage(m.path, m.source, regoVersion);
    // A module that does not parse is left for the compiler, which reports it with a location.
    if (pkg !== null && !rootsContain(manifest.roots, pkg)) {
      throw new BundleError('BUNDLE_OUTSIDE_ROOTS', `${m.path}: package ${pkg.join('.')} is outside the bundle roots ${JSON.stringify(manifest.roots)}`);
    }
  }
  checkDataRoots(data, manifest.roots);

  const wasm: RawBundle['wasm'] = [];
  for (const w of manifest.wasm) {
    const module = files.get(w.module);
    if (module === undefined) throw new BundleError('BUNDLE_INVALID_MANIFEST', `.manifest names wasm module ${w.module}, which the bundle lacks`);
    if (!rootsContain(manifest.roots, rootSegments(w.entrypoint))) {
      throw new BundleError('BUNDLE_OUTSIDE_ROOTS', `wasm entrypoint ${w.entrypoint} is outside the bundle roots ${JSON.stringify(manifest.roots)}`);
    }
    wasm.push({ entrypoint: w.entrypoint, path: w.module, module });
  }
  for (const path of paths) {
    if ((path === 'policy.wasm' || path.endsWith('/policy.wasm')) && !manifest.wasm.some((w) => w.module === path)) {
      throw new BundleError('BUNDLE_INVALID_MANIFEST', `${path} has no entrypoint in .manifest "wasm"`);
    }
  }

  let signatures: unknown;
  const sigBytes = files.get(SIGNATURES_FILE);
  if (sigBytes !== undefined) {
    try {
      signatures = JSON.parse(new TextDecoder().decode(sigBytes));
    } catch {
      throw new BundleError('BUNDLE_SIGNATURE_INVALID', `${SIGNATURES_FILE} is not valid JSON`);
    }
  }

  return { name, manifest, modules, data, wasm, files: new Map(files), signatures };
}

/** The full parser, for package lines the quick reader does not handle (raw strings, odd spacing):
 * skipping the roots check for those would let a module slip outside its roots. */
function parsedPackage(file: string, source: string, regoVersion: 0 | 1): string[] | null {
  try {
    return parseModule(file, source, { regoVersion }).package;
  } catch {
    return null;
  }
}

function decodeModule(path: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BundleError('BUNDLE_COMPILE_ERROR', `${path} is not valid UTF-8`);
  }
}
