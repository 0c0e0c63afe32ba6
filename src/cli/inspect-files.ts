// What `opa inspect` lists beyond the modules (OPA's internal/bundle/inspect): the data files
// (each under the namespace of its directory, `data` at the bundle root), the signatures
// (`.signatures.json` → signatures_config) and the wasm modules with the manifest's entrypoints
// (`wasm` resolvers → wasm_modules, and each module under its entrypoint's namespace).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_BUNDLE_LIMITS } from '../bundles/limits.js';
import { readTarball } from '../bundles/read-tarball.js';
import { describeThrown } from '../shared/errors.js';
import { CliError } from './io.js';
import type { Manifest } from './sources.js';

/** OPA's bundle.SignaturesConfig. */
export interface SignaturesConfig {
  signatures?: string[];
  plugin?: string;
}

/** One of OPA's wasm_modules entries (a Go map: keys in sorted order). */
export interface WasmModuleInfo {
  entrypoints: string[] | null;
  path: string;
  url: string;
}

export interface BundleExtras {
  /** namespace → data files (shown as OPA shows them: joined to the directory, or /path in a tarball). */
  dataFiles: Map<string, string[]>;
  signatures: SignaturesConfig;
  wasmModules: WasmModuleInfo[];
  /** namespace → wasm module paths (the manifest's entrypoints). */
  wasmNamespaces: Map<string, string[]>;
}

/** Bundle-relative paths (forward slashes, no leading slash) in name order. */
async function listDir(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await listDir(root, p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** `arg` is the bundle as given on the command line; `abs` its resolved path. */
export async function bundleExtras(arg: string, abs: string, isTarball: boolean, manifest: Manifest | undefined): Promise<BundleExtras> {
  let names: string[];
  let read: (name: string) => Promise<Uint8Array>;
  if (isTarball) {
    let files: Map<string, Uint8Array>;
    try {
      files = await readTarball(await readFile(abs), DEFAULT_BUNDLE_LIMITS);
    } catch (e) {
      throw new CliError('load_error', `${arg}: ${describeThrown(e)}`);
    }
    names = [...files.keys()].sort();
    read = async (n) => files.get(n) ?? new Uint8Array();
  } else {
    names = await listDir(abs);
    read = async (n) => readFile(path.join(abs, n));
  }
  // OPA shows a directory bundle's files joined to the directory, a tarball's as /path.
  const shown = (name: string): string => (isTarball ? `/${name}` : path.join(arg, name));
  const dataFiles = new Map<string, string[]>();
  let signatures: SignaturesConfig = {};
  for (const name of names) {
    const segs = name.split('/');
    const base = segs[segs.length - 1] ?? '';
    if (base === '.signatures.json') signatures = parseSignatures(await read(name), shown(name));
    if (base === 'data.json' || base === 'data.yaml') push(dataFiles, ['data', ...segs.slice(0, -1)].join('.'), shown(name));
  }
  const resolvers = wasmResolvers(manifest);
  const wasmNamespaces = new Map<string, string[]>();
  for (const r of resolvers) push(wasmNamespaces, entrypointRef(r.entrypoint), r.module);
  const wasmModules: WasmModuleInfo[] = names
    .filter((n) => n.endsWith('.wasm'))
    .map((n) => {
      const entrypoints = resolvers.filter((r) => r.module.replace(/^\/+/, '') === n).map((r) => entrypointRef(r.entrypoint));
      // Go encodes a nil slice (a module no entrypoint names) as null.
      return { entrypoints: entrypoints.length > 0 ? entrypoints : null, path: `/${n}`, url: path.join(arg, n) };
    });
  return { dataFiles, signatures, wasmModules, wasmNamespaces };
}

function parseSignatures(bytes: Uint8Array, file: string): SignaturesConfig {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CliError('load_error', `${file}: bundle load failed on signatures decode: ${describeThrown(e)}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CliError('load_error', `${file}: must be a JSON object`);
  const o = v as { signatures?: unknown; plugin?: unknown };
  const out: SignaturesConfig = {};
  if (o.signatures !== undefined) {
    if (!Array.isArray(o.signatures) || !o.signatures.every((s) => typeof s === 'string'))
      throw new CliError('load_error', `${file}: signatures must be a list of strings`);
    if (o.signatures.length > 0) out.signatures = o.signatures;
  }
  if (o.plugin !== undefined) {
    if (typeof o.plugin !== 'string') throw new CliError('load_error', `${file}: plugin must be a string`);
    if (o.plugin !== '') out.plugin = o.plugin;
  }
  return out;
}

function wasmResolvers(manifest: Manifest | undefined): { entrypoint: string; module: string }[] {
  const w = manifest?.wasm;
  if (!Array.isArray(w)) return [];
  return w.flatMap((r: unknown) => {
    const o = r as { entrypoint?: unknown; module?: unknown } | null;
    return o && typeof o.entrypoint === 'string' && typeof o.module === 'string' ? [{ entrypoint: o.entrypoint, module: o.module }] : [];
  });
}

/** "http/example/allow" → "data.http.example.allow", as OPA prints the entrypoint ref. */
function entrypointRef(entrypoint: string): string {
  return ['data', ...entrypoint.split('/').filter((s) => s !== '')].join('.');
}
