// A request body with every string and number made unique, as ids, amounts and free text are in
// production (replayed bodies let every memoised function call hit) — except the catalogue names
// the default tool-call policy looks up, which must stay as they are for the same decision.
const KEEP = new Set(['name', 'server', 'roles', 'trust_level', 'environment']);
let serial = 0;

export function uniqueValues(v, key = '') {
  if (KEEP.has(key)) return v;
  if (Array.isArray(v)) return v.map((x) => uniqueValues(x, ''));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, uniqueValues(x, k)]));
  if (typeof v === 'string') return `${v}-${serial++}`;
  if (typeof v === 'number') return v + (serial++ % 97) / 100;
  return v;
}
