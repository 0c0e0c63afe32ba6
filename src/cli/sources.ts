// Loads policy sources from files, directories and bundles as OPA's loader does (`opa eval -d`,
// `opa test`): every `*.rego` is a module; every `*.json` / `*.yaml` / `*.yml` in a directory is
// mounted at that directory's path below the given root (`a/b/x.json` → data.a.b); a JSON/YAML
// file named directly is merged at the root of `data`. Bundles (a `.tar.gz`, or a directory
// read in bundle mode) mount only `data.json` / `data.yaml`, as OPA's bundle reader does; a
// `.manifest` at a directory or bundle root sets its modules' `rego_version`. Numbers stay
// exact (parseDocument).
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { describeThrown } from '../shared/errors.js';
import type { ModuleSource } from '../rego/api.js';
import { parseJSONExact } from '../rego/json-exact.js';
import { DEFAULT_BUNDLE_LIMITS } from '../bundles/limits.js';
import { readTarball } from '../bundles/read-tarball.js';
import { CliError } from './io.js';

export interface Manifest {
  revision?: string;
  roots?: string[];
  rego_version?: number;
  metadata?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface SourceFile {
  /** Path inside the bundle, forward slashes, no leading slash (e.g. "ai/tools/policy.rego"). */
  bundlePath: string;
  /** Path on disk. */
  diskPath: string;
  kind: 'module' | 'data';
  /** Data files: where the document is mounted (path segments below data). */
  mount?: string[];
}

export interface LoadedSources {
  modules: ModuleSource[];
  data: Record<string, unknown>;
  /** The manifest of the first directory that has one. */
  manifest?: Manifest;
  files: SourceFile[];
}

const DATA_FILES = new Set(['data.json', 'data.yaml', 'data.yml']);

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/**
 * Parses JSON or YAML text with numbers exact, as OPA reads them: JSON through
 * parseJSONExact (integers of any size or exponent stay exact), YAML with integers as bigints.
 */
export function parseDocument(text: string, file: string): unknown {
  try {
    if (file.endsWith('.json') || (!/\.ya?ml$/.test(file) && /^\s*[[{]/.test(text))) return parseJSONExact(text);
    return parse(text, { intAsBigInt: true, maxAliasCount: 100 });
  } catch (e) {
    throw new CliError('load_error', `${file}: cannot parse: ${describeThrown(e).split('\n')[0]}`);
  }
}

/** Merges `value` into `target` at `mount`; objects merge key by key, anything else conflicts. */
export function mergeAt(target: Record<string, unknown>, mount: string[], value: unknown, file: string): void {
  let node = target;
  for (let i = 0; i < mount.length; i++) {
    const seg = mount[i];
    const last = i === mount.length - 1;
    if (last && !isRecord(value)) {
      if (seg in node) throw new CliError('load_error', `${file}: data conflict at data.${mount.join('.')}`);
      node[seg] = value;
      return;
    }
    const next = node[seg];
    if (next === undefined) node[seg] = {};
    else if (!isRecord(next)) throw new CliError('load_error', `${file}: data conflict at data.${mount.slice(0, i + 1).join('.')}`);
    node = node[seg] as Record<string, unknown>;
  }
  if (!isRecord(value)) throw new CliError('load_error', `${file}: a document merged at the root of data must be an object`);
  for (const [k, v] of Object.entries(value)) {
    const existing = node[k];
    if (existing === undefined) node[k] = v;
    else if (isRecord(existing) && isRecord(v)) mergeAt(node, [k], v, file);
    else throw new CliError('load_error', `${file}: data conflict at data.${[...mount, k].join('.')}`);
  }
}

/** How a path is read: as `opa eval -d` / `opa test` read files, or as a bundle (`-b`). */
export interface LoadOptions {
  /**
   * files (default): every .rego is a module and every .json/.yaml/.yml is data mounted at its
   * directory (OPA's loader); bundle: only data.json/data.yaml are data (OPA's bundle layout).
   * A path ending in .tar.gz or .tgz is always read as a bundle.
   */
  mode?: 'files' | 'bundle';
  /** Paths read as bundles whatever the mode (`-b`). */
  bundles?: readonly string[];
  /** File and directory names to skip (OPA's --ignore: shell patterns on the base name). */
  ignore?: readonly string[];
}

/** A shell pattern (`*`, `?`, `[...]`, as Go's filepath.Match) as a whole-name regular expression. */
export function globToRegExp(pattern: string): RegExp {
  const lit = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const close = c === '[' ? pattern.indexOf(']', i + 2) : -1;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (close > 0) {
      const body = pattern.slice(i + 1, close);
      const neg = body.startsWith('^');
      re += '[' + (neg ? '^' : '') + [...(neg ? body.slice(1) : body)].map((x) => (x === '-' ? '-' : lit(x))).join('') + ']';
      i = close;
    } else if (c === '\\' && i + 1 < pattern.length) re += lit(pattern[++i]);
    else re += lit(c);
  }
  try {
    return new RegExp('^' + re + '$', 'u');
  } catch {
    throw new CliError('usage', `--ignore: invalid pattern ${JSON.stringify(pattern)}`);
  }
}

const DATA_EXT = /\.(json|ya?ml)$/;

async function walk(dir: string, rel: string[], out: SourceFile[], bundle: boolean, ignored: (name: string) => boolean): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (ignored(e.name)) continue;
    const disk = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      await walk(disk, [...rel, e.name], out, bundle, ignored);
    } else if (e.isFile()) {
      const bundlePath = [...rel, e.name].join('/');
      if (e.name.endsWith('.rego')) out.push({ bundlePath, diskPath: disk, kind: 'module' });
      else if (bundle ? DATA_FILES.has(e.name) : DATA_EXT.test(e.name)) out.push({ bundlePath, diskPath: disk, kind: 'data', mount: rel });
    }
  }
}

/** A .tar.gz bundle: its modules, data files (mounted by directory) and manifest. */
async function loadTarball(p: string, abs: string, loaded: LoadedSources, ignored: (name: string) => boolean): Promise<void> {
  let files: Map<string, Uint8Array>;
  try {
    files = await readTarball(await readFile(abs), DEFAULT_BUNDLE_LIMITS);
  } catch (e) {
    throw new CliError('load_error', `${p}: ${describeThrown(e)}`);
  }
  const text = (b: Uint8Array): string => new TextDecoder().decode(b);
  let version: 0 | 1 | undefined;
  const manifestBytes = files.get('.manifest');
  if (manifestBytes !== undefined) {
    const m = parseDocument(text(manifestBytes), `${p}/.manifest`);
    if (!isRecord(m)) throw new CliError('load_error', `${p}/.manifest: must be a JSON object`);
    const manifest = normalizeManifest(m, `${p}/.manifest`);
    if (manifest.rego_version !== undefined) version = manifest.rego_version === 0 ? 0 : 1;
    loaded.manifest ??= manifest;
  }
  for (const [name, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const segs = name.split('/');
    if (segs.some(ignored)) continue;
    const shown = `${p}/${name}`;
    if (name.endsWith('.rego')) {
      loaded.modules.push(version === undefined ? { file: shown, source: text(bytes) } : { file: shown, source: text(bytes), regoVersion: version });
    } else if (DATA_FILES.has(segs[segs.length - 1])) {
      mergeAt(loaded.data, segs.slice(0, -1), parseDocument(text(bytes), shown), shown);
    }
  }
}

/** Loads modules, data and manifest from the given files/directories (resolved against cwd). */
export async function loadSources(paths: string[], cwd: string, opts: LoadOptions = {}): Promise<LoadedSources> {
  const loaded: LoadedSources = { modules: [], data: {}, files: [] };
  const patterns = (opts.ignore ?? []).map(globToRegExp);
  const ignored = (name: string): boolean => patterns.some((re) => re.test(name));
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch {
      throw new CliError('load_error', `${p}: no such file or directory`);
    }
    const asBundle = opts.mode === 'bundle' || (opts.bundles ?? []).includes(p);
    if (st.isFile() && /\.(tar\.gz|tgz)$/.test(abs)) {
      await loadTarball(p, abs, loaded, ignored);
      continue;
    }
    const files: SourceFile[] = [];
    let version: 0 | 1 | undefined;
    if (st.isDirectory()) {
      await walk(abs, [], files, asBundle, ignored);
      const manifestPath = path.join(abs, '.manifest');
      const manifestText = await readFile(manifestPath, 'utf8').catch(() => undefined);
      if (manifestText !== undefined) {
        const m = parseDocument(manifestText, path.join(p, '.manifest'));
        if (!isRecord(m)) throw new CliError('load_error', `${path.join(p, '.manifest')}: must be a JSON object`);
        const manifest = normalizeManifest(m, path.join(p, '.manifest'));
        if (manifest.rego_version !== undefined) version = manifest.rego_version === 0 ? 0 : 1;
        loaded.manifest ??= manifest;
      }
    } else if (abs.endsWith('.rego')) {
      files.push({ bundlePath: path.basename(abs), diskPath: abs, kind: 'module' });
    } else if (DATA_EXT.test(abs)) {
      files.push({ bundlePath: path.basename(abs), diskPath: abs, kind: 'data', mount: [] });
    } else {
      throw new CliError('load_error', `${p}: not a .rego, .json, .yaml or .tar.gz file`);
    }
    for (const f of files) {
      const shown = st.isDirectory() ? path.join(p, f.bundlePath) : p;
      const text = await readFile(f.diskPath, 'utf8');
      if (f.kind === 'module') loaded.modules.push(version === undefined ? { file: shown, source: text } : { file: shown, source: text, regoVersion: version });
      else mergeAt(loaded.data, f.mount ?? [], parseDocument(text, shown), shown);
      loaded.files.push(f);
    }
  }
  return loaded;
}

function normalizeManifest(m: Record<string, unknown>, file: string): Manifest {
  const out: Manifest = { ...m };
  if (m.revision !== undefined && typeof m.revision !== 'string') throw new CliError('load_error', `${file}: revision must be a string`);
  if (m.roots !== undefined && !(Array.isArray(m.roots) && m.roots.every((r) => typeof r === 'string'))) {
    throw new CliError('load_error', `${file}: roots must be a list of strings`);
  }
  if (typeof m.rego_version === 'bigint') out.rego_version = Number(m.rego_version);
  if (out.rego_version !== undefined && out.rego_version !== 0 && out.rego_version !== 1) {
    throw new CliError('load_error', `${file}: rego_version must be 0 or 1`);
  }
  return out;
}
