// Loads policy sources from files and directories the way a bundle is laid out:
// every `*.rego` is a module; `data.json` / `data.yaml` / `data.yml` in a directory is mounted
// at that directory's path below the given root (`a/b/data.json` → data.a.b); a JSON/YAML
// file named directly is merged at the root of `data`; `/.manifest` at a directory root is
// the bundle manifest. Integers stay exact (parsed as bigints).
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { describeThrown } from '../shared/errors.js';
import type { ModuleSource } from '../rego/api.js';
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

/** Parses JSON or YAML text; integers become bigints so none is rounded. */
export function parseDocument(text: string, file: string): unknown {
  try {
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

async function walk(dir: string, rel: string[], out: SourceFile[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const disk = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      await walk(disk, [...rel, e.name], out);
    } else if (e.isFile()) {
      const bundlePath = [...rel, e.name].join('/');
      if (e.name.endsWith('.rego')) out.push({ bundlePath, diskPath: disk, kind: 'module' });
      else if (DATA_FILES.has(e.name)) out.push({ bundlePath, diskPath: disk, kind: 'data', mount: rel });
    }
  }
}

/** Loads modules, data and manifest from the given files/directories (resolved against cwd). */
export async function loadSources(paths: string[], cwd: string): Promise<LoadedSources> {
  const loaded: LoadedSources = { modules: [], data: {}, files: [] };
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch {
      throw new CliError('load_error', `${p}: no such file or directory`);
    }
    const files: SourceFile[] = [];
    if (st.isDirectory()) {
      await walk(abs, [], files);
      const manifestPath = path.join(abs, '.manifest');
      const manifestText = await readFile(manifestPath, 'utf8').catch(() => undefined);
      if (manifestText !== undefined && loaded.manifest === undefined) {
        const m = parseDocument(manifestText, path.join(p, '.manifest'));
        if (!isRecord(m)) throw new CliError('load_error', `${path.join(p, '.manifest')}: must be a JSON object`);
        loaded.manifest = normalizeManifest(m, path.join(p, '.manifest'));
      }
    } else if (abs.endsWith('.rego')) {
      files.push({ bundlePath: path.basename(abs), diskPath: abs, kind: 'module' });
    } else if (/\.(json|ya?ml)$/.test(abs)) {
      files.push({ bundlePath: path.basename(abs), diskPath: abs, kind: 'data', mount: [] });
    } else {
      throw new CliError('load_error', `${p}: not a .rego, .json or .yaml file`);
    }
    for (const f of files) {
      const shown = st.isDirectory() ? path.join(p, f.bundlePath) : p;
      const text = await readFile(f.diskPath, 'utf8');
      if (f.kind === 'module') loaded.modules.push({ file: shown, source: text });
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

/** The Rego version a set of sources is compiled with (manifest `rego_version`, default 1). */
export function regoVersionOf(l: LoadedSources): 0 | 1 {
  return l.manifest?.rego_version === 0 ? 0 : 1;
}
