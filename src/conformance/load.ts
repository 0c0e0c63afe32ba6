// Reads conformance YAML files from a folder tree. Integers are parsed as bigints so that
// values past 2^53 stay exact (the engine's fromJSON folds small ones back to numbers).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { describeThrown } from '../shared/errors.js';
import type { LoadProblem } from './types.js';
import { reindentFlowCollections } from './yaml-repair.js';

const OPTIONS = { intAsBigInt: true, maxAliasCount: 100, mapAsMap: true } as const;

/**
 * Mapping keys that are not strings (`null:`, `true:`, `7:`), as regorus's runner reads them
 * (serde_yaml keeps each key's type): such a mapping also carries its typed entries here, which
 * the regorus expectations use (expected.ts); everything else sees plain objects with the keys
 * as text, as before (OPA's runner turns keys into strings).
 */
export const TYPED_ENTRIES = Symbol('conformance.typedEntries');

function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (!(v instanceof Map)) return v;
  const out: Record<string, unknown> = {};
  let typed = false;
  const entries: [unknown, unknown][] = [];
  for (const [k, x] of v as Map<unknown, unknown>) {
    const value = plain(x);
    if (typeof k !== 'string') typed = true;
    entries.push([plain(k), value]);
    Object.defineProperty(out, keyText(k), { value, enumerable: true, writable: true, configurable: true });
  }
  if (typed) Object.defineProperty(out, TYPED_ENTRIES, { value: entries, enumerable: false });
  return out;
}

/** The key as the yaml library writes it into a plain object (null → ""). */
function keyText(k: unknown): string {
  if (k === null || k === undefined) return '';
  return typeof k === 'object' ? JSON.stringify(k, (_, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)) : String(k);
}

/** Parses strictly; if that fails, retries once with under-indented flow collections repaired. */
function parseYaml(text: string): unknown {
  try {
    return plain(parse(text, OPTIONS));
  } catch (e) {
    const repaired = reindentFlowCollections(text);
    if (repaired === undefined) throw e;
    try {
      return plain(parse(repaired, OPTIONS));
    } catch {
      throw e;
    }
  }
}

export interface RawFile {
  folder: string;
  /** Path relative to the root folder, forward slashes. */
  file: string;
  /** The file's top-level `cases` list, each entry as parsed (unchecked). */
  cases: unknown[];
}

export interface LoadedFolder {
  folder: string;
  root: string;
  files: RawFile[];
  problems: LoadProblem[];
}

async function listYaml(dir: string, rel: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) await listYaml(path.join(dir, e.name), r, out);
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(r);
  }
}

/** Loads every `*.yaml`/`*.yml` below `root`. A file that cannot be parsed becomes a problem, not an exception. */
export async function loadFolder(root: string): Promise<LoadedFolder> {
  const folder = path.basename(path.resolve(root));
  const names: string[] = [];
  await listYaml(root, '', names);
  const files: RawFile[] = [];
  const problems: LoadProblem[] = [];
  for (const file of names) {
    try {
      const text = await readFile(path.join(root, file), 'utf8');
      const doc: unknown = parseYaml(text);
      const cases = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>).cases : undefined;
      if (!Array.isArray(cases)) {
        problems.push({ folder, file, message: 'file has no top-level `cases` list' });
        continue;
      }
      files.push({ folder, file, cases });
    } catch (e) {
      problems.push({ folder, file, message: `cannot load: ${describeThrown(e).split('\n')[0]}` });
    }
  }
  return { folder, root, files, problems };
}
