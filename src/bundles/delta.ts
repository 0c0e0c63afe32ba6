// Delta bundles (OPA): a bundle whose root `patch.json` holds a non-empty `data` array of patch
// operations. They patch the data of the bundle's active snapshot instead of replacing it; the
// operations and their semantics are OPA's (upsert/remove/replace on its data store).
import { BundleError } from './errors.js';
import { parseDataFile } from './data.js';
import { isRecord } from './manifest.js';
import { rootsContain } from './paths.js';

export const PATCH_FILE = 'patch.json';

/** Deeper patch paths are refused: each segment may create a nested object, and data nested this
 * deep is an attack on every recursive walker, not a policy input. */
export const MAX_PATCH_PATH_DEPTH = 512;

export type PatchOp = 'upsert' | 'remove' | 'replace';

export interface PatchOperation {
  op: PatchOp;
  /** decoded segments; [] is the whole data tree of the bundle */
  path: string[];
  /** as written, for messages */
  raw: string;
  value?: unknown;
}

const OPS: ReadonlySet<string> = new Set<PatchOp>(['upsert', 'remove', 'replace']);

/**
 * The operations of a delta bundle, or null when the files are a snapshot. Like OPA, a bundle is a
 * delta when `patch.json` holds at least one operation; `{"data": []}` is a snapshot (of nothing).
 */
export function readPatch(files: ReadonlyMap<string, Uint8Array>): PatchOperation[] | null {
  const bytes = files.get(PATCH_FILE);
  if (bytes === undefined) return null;
  let doc: unknown;
  try {
    doc = parseDataFile(PATCH_FILE, bytes);
  } catch (e) {
    throw new BundleError('BUNDLE_DELTA_INVALID', (e as Error).message, { cause: e });
  }
  if (!isRecord(doc)) throw invalid('patch.json must be a JSON object {"data": [operations]}');
  if (doc.data === undefined || doc.data === null) return null;
  if (!Array.isArray(doc.data)) throw invalid('patch.json "data" must be an array of operations');
  if (doc.data.length === 0) return null;
  return doc.data.map((x, i) => parseOperation(x, i));
}

function parseOperation(x: unknown, i: number): PatchOperation {
  if (!isRecord(x)) throw invalid(`patch.json data[${i}] must be an object {"op", "path", "value"}`);
  if (typeof x.op !== 'string' || !OPS.has(x.op)) {
    throw invalid(`patch.json data[${i}]: bad patch operation ${JSON.stringify(x.op)} (OPA supports upsert, remove, replace)`);
  }
  if (typeof x.path !== 'string') throw invalid(`patch.json data[${i}]: "path" must be a string`);
  const op = x.op as PatchOp;
  if (op !== 'remove' && !Object.hasOwn(x, 'value')) throw invalid(`patch.json data[${i}]: ${op} needs a "value"`);
  const path = parsePatchPath(x.path, i);
  return { op, path, raw: x.path, ...(op !== 'remove' ? { value: x.value } : {}) };
}

/** OPA's patch paths: leading/trailing "/" trimmed, each segment URL-unescaped, then JSON Pointer's
 * `~1` → "/" and `~0` → "~" (RFC 6901). */
export function parsePatchPath(raw: string, i = 0): string[] {
  const trimmed = raw.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [];
  const segs = trimmed.split('/');
  if (segs.length > MAX_PATCH_PATH_DEPTH) throw invalid(`patch.json data[${i}]: path is deeper than ${MAX_PATCH_PATH_DEPTH} segments`);
  return segs.map((s) => {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      throw invalid(`patch.json data[${i}]: error parsing patch path ${JSON.stringify(raw)}`);
    }
    return d.replace(/~1/g, '/').replace(/~0/g, '~');
  });
}

/** Like OPA: every patch path must sit under one of the delta's manifest roots. */
export function checkPatchRoots(ops: readonly PatchOperation[], roots: readonly string[]): void {
  for (const o of ops) {
    if (!rootsContain(roots, o.path)) {
      throw new BundleError(
        'BUNDLE_OUTSIDE_ROOTS',
        `patch.json: manifest roots ${JSON.stringify(roots)} do not permit data patch at path ${JSON.stringify(o.raw)}`,
      );
    }
  }
}

/** Applies the operations in order to `data` (mutated: pass a copy). Throws BUNDLE_PATCH_FAILED
 * naming the operation that could not apply; the caller then keeps the active snapshot. */
export function applyPatches(data: Record<string, unknown>, ops: readonly PatchOperation[]): Record<string, unknown> {
  let root = data;
  ops.forEach((o, i) => {
    const where = `patch.json data[${i}] (${o.op} ${JSON.stringify(o.raw)})`;
    if (o.path.length === 0) {
      // The whole tree of the bundle: only an object can be its data.
      if (o.op === 'remove') throw failed(`${where}: the data root cannot be removed`);
      if (!isRecord(o.value)) throw failed(`${where}: the data root must be an object`);
      root = o.value;
      return;
    }
    const parentPath = o.path.slice(0, -1);
    const key = o.path[o.path.length - 1];
    let parent = lookup(root, parentPath);
    if (parent === undefined) {
      if (o.op !== 'upsert') throw failed(`${where}: document does not exist`);
      parent = makeDir(root, parentPath, where);
    }
    if (Array.isArray(parent)) {
      patchArray(parent, key, o, where);
    } else if (isRecord(parent)) {
      patchObject(parent, key, o, where);
    } else {
      throw failed(`${where}: the parent is not an object or array`);
    }
  });
  return root;
}

function patchObject(parent: Record<string, unknown>, key: string, o: PatchOperation, where: string): void {
  const exists = Object.hasOwn(parent, key);
  if (o.op === 'remove') {
    if (!exists) throw failed(`${where}: document does not exist`);
    delete parent[key];
    return;
  }
  if (o.op === 'replace' && !exists) throw failed(`${where}: document does not exist`);
  setOwn(parent, key, o.value);
}

function patchArray(parent: unknown[], key: string, o: PatchOperation, where: string): void {
  if (o.op === 'upsert' && key === '-') {
    parent.push(o.value);
    return;
  }
  const idx = arrayIndex(key);
  // upsert inserts (0..length); replace and remove need an existing element.
  const max = o.op === 'upsert' ? parent.length : parent.length - 1;
  if (idx === null || idx > max) throw failed(`${where}: array index ${JSON.stringify(key)} is out of range (length ${parent.length})`);
  if (o.op === 'upsert') parent.splice(idx, 0, o.value);
  else if (o.op === 'replace') parent[idx] = o.value;
  else parent.splice(idx, 1);
}

function arrayIndex(key: string): number | null {
  if (!/^(0|[1-9][0-9]{0,8})$/.test(key)) return null;
  return Number(key);
}

/** The node at `path`, or undefined when some step does not exist. Own properties only, so
 * "__proto__" or "constructor" in a path name data, never a prototype. */
function lookup(root: unknown, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const k of path) {
    if (Array.isArray(node)) {
      const i = arrayIndex(k);
      if (i === null || i >= node.length) return undefined;
      node = node[i];
    } else if (isRecord(node)) {
      if (!Object.hasOwn(node, k)) return undefined;
      node = node[k];
    } else {
      return undefined;
    }
  }
  return node;
}

/** OPA's storage.MakeDir: creates the missing objects along `path`; a non-object in the way is a conflict. */
function makeDir(root: Record<string, unknown>, path: readonly string[], where: string): Record<string, unknown> {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const k = path[i];
    if (!Object.hasOwn(node, k)) setOwn(node, k, {});
    const next = node[k];
    if (!isRecord(next)) throw failed(`${where}: /${path.slice(0, i + 1).join('/')} is not an object, so nothing can be created under it`);
    node = next;
  }
  return node;
}

// defineProperty, not assignment: a key named "__proto__" must stay data, not change a prototype.
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function invalid(msg: string): BundleError {
  return new BundleError('BUNDLE_DELTA_INVALID', msg);
}

function failed(msg: string): BundleError {
  return new BundleError('BUNDLE_PATCH_FAILED', msg);
}
