// JSON Pointers (RFC 6901) with one extension: a segment that is exactly `*` matches every
// member of an object and every element of an array at that level. Used by masking rules.

export type Pointer = readonly string[];

export class PointerError extends Error {
  readonly code = 'MASK_POINTER_INVALID';
  constructor(pointer: string, why: string) {
    super(`invalid JSON pointer "${pointer}": ${why}`);
    this.name = 'PointerError';
  }
}

export function parsePointer(p: string): Pointer {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PointerError(p, 'must start with "/"');
  return p
    .slice(1)
    .split('/')
    .map((seg) => {
      if (/~[^01]|~$/.test(seg)) throw new PointerError(p, 'bad "~" escape');
      return seg.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

export function formatPointer(segments: Pointer): string {
  return segments.map((s) => '/' + escapeSegment(s)).join('');
}

/** One key as a pointer segment: "~" and "/" escaped (RFC 6901). */
export function escapeSegment(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function childKeys(container: unknown, seg: string): string[] {
  if (Array.isArray(container)) {
    if (seg === '*') return container.map((_, i) => String(i));
    return /^(0|[1-9]\d*)$/.test(seg) && Number(seg) < container.length ? [seg] : [];
  }
  if (isObject(container)) {
    if (seg === '*') return Object.keys(container);
    return Object.prototype.hasOwnProperty.call(container, seg) ? [seg] : [];
  }
  return [];
}

/** Every concrete pointer (no wildcards) the pattern matches in `doc` that exists. */
export function expand(doc: unknown, pattern: Pointer): Pointer[] {
  let frontier: { value: unknown; path: string[] }[] = [{ value: doc, path: [] }];
  for (const seg of pattern) {
    const next: { value: unknown; path: string[] }[] = [];
    for (const { value, path } of frontier) {
      for (const k of childKeys(value, seg)) {
        next.push({ value: (value as Record<string, unknown>)[k], path: [...path, k] });
      }
    }
    frontier = next;
    if (frontier.length === 0) break;
  }
  return frontier.map((f) => f.path);
}

/** Removes the value at a concrete pointer; false if it was not there. Array elements are
 * spliced out (later indices shift, so callers remove in descending order). */
export function removeAt(doc: unknown, ptr: Pointer): boolean {
  if (ptr.length === 0) return false;
  let parent: unknown = doc;
  for (const seg of ptr.slice(0, -1)) {
    if (childKeys(parent, seg).length !== 1) return false;
    parent = (parent as Record<string, unknown>)[seg];
  }
  const last = ptr[ptr.length - 1] as string;
  if (childKeys(parent, last).length !== 1) return false;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last];
  return true;
}

/** Sets the value at a concrete pointer, creating missing objects on the way (OPA's upsert).
 * Returns false when an existing non-object is in the way. */
export function upsertAt(doc: unknown, ptr: Pointer, value: unknown): boolean {
  if (ptr.length === 0) return false;
  let cur: unknown = doc;
  for (const seg of ptr.slice(0, -1)) {
    if (Array.isArray(cur)) {
      if (childKeys(cur, seg).length !== 1) return false;
      cur = cur[Number(seg)];
    } else if (isObject(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, seg) || cur[seg] === undefined) cur[seg] = {};
      cur = cur[seg];
    } else {
      return false;
    }
  }
  const last = ptr[ptr.length - 1] as string;
  if (Array.isArray(cur)) {
    if (childKeys(cur, last).length !== 1) return false;
    cur[Number(last)] = value;
    return true;
  }
  if (!isObject(cur)) return false;
  Object.defineProperty(cur, last, { value, enumerable: true, writable: true, configurable: true });
  return true;
}
