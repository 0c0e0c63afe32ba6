// Minimal JSON-pointer helpers for building and describing config layers.

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function segments(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function getAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const seg of segments(pointer)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur) && Object.hasOwn(cur, seg)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/** Sets a value, creating objects (or arrays for numeric segments) on the way. */
export function setAt(root: JsonObject, pointer: string, value: unknown): void {
  const segs = segments(pointer);
  let cur: JsonObject | unknown[] = root;
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    const key: string | number = Array.isArray(cur) ? Number(seg) : seg;
    const holder = cur as Record<string | number, unknown>;
    if (last) {
      Object.defineProperty(holder, key, { value, enumerable: true, writable: true, configurable: true });
      return;
    }
    let next = holder[key];
    if (!isObject(next) && !Array.isArray(next)) {
      next = /^\d+$/.test(segs[i + 1] ?? '') ? [] : {};
      holder[key] = next;
    }
    cur = next as JsonObject | unknown[];
  });
}

/** "server.port" / "bundles[0].url" — how an operator reads a config file path. */
export function dotted(pointer: string): string {
  return segments(pointer).reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

/** Deep merge of plain objects; arrays and scalars from `over` replace those in `base`. */
export function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: JsonObject = { ...base };
  // defineProperty, not assignment: a "__proto__" key in a config file must stay a plain (and
  // then rejected) key instead of replacing the prototype.
  for (const [k, v] of Object.entries(over)) {
    Object.defineProperty(out, k, { value: merge(Object.hasOwn(base, k) ? base[k] : undefined, v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
