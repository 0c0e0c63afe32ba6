// A record's JSON text, written once: the in-memory store keeps its bytes, and the stdout and
// Redis sinks send it. Records are never modified after masking, so the text stays true.
import { configure } from 'safe-stable-stringify';
import type { LogRecord } from './types.js';

// The text is kept on the record under a symbol (JSON.stringify skips symbol keys), not in a
// WeakMap: a weak entry per decision is extra work for every garbage collection.
const TEXT = Symbol('pdp.record.json');
type WithText = LogRecord & { [TEXT]?: string };

// JSON.stringify refuses bigints (integers past 2^53 in an input or a result). A record must
// still be written, exactly: the fallback writes them as the integers they are.
const exactJSON = configure({ bigint: true, deterministic: false, circularValue: '[Circular]' });

/** JSON text of any record-like value; integers past 2^53 are written exactly. */
export function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return exactJSON(value) ?? 'null';
  }
}

/** Masked fields shared by many records (an equal decision's, reapplied on cache hits: see the
 * masker) carry their own JSON text here once written: null until then. */
const FIELD_TEXT = Symbol('pdp.record.field.json');
type Shared = { [FIELD_TEXT]?: string | null };

/** Mark a record field's value as shared by the records that will carry it (it must never be
 * modified afterwards): their JSON then writes its text once. Scalars need no mark. */
export function markSharedField(value: unknown): void {
  // not enumerable: a copy of the value ({...v}) is not marked, and comparisons do not see it
  if (typeof value === 'object' && value !== null && Object.isExtensible(value)) Object.defineProperty(value, FIELD_TEXT, { value: null, writable: true });
}

function sharedText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Shared;
  const t = v[FIELD_TEXT];
  if (t === undefined) return undefined;
  return t ?? (v[FIELD_TEXT] = toJsonText(value));
}

export function recordJson(record: LogRecord): string {
  const r = record as WithText;
  if (r[TEXT] !== undefined) return r[TEXT];
  const json = spliced(record) ?? toJsonText(record);
  // A frozen record (none of ours are) simply is not memoized.
  if (Object.isExtensible(r)) r[TEXT] = json;
  return json;
}

/** The fields whose value may be shared by many records (see markSharedField): the masked input
 * and result and the decision's parts of an equal decision (cache hits), a snapshot's bundles, the
 * service's labels, a reapplied mask's pointers. */
interface Shareable {
  input?: unknown;
  result?: unknown;
  reasons?: unknown;
  obligations?: unknown;
  exceptions_applied?: unknown;
  bundles?: unknown;
  labels?: unknown;
  masked?: unknown;
  erased?: unknown;
}

/** The record's JSON with its shared fields written from their kept text (their keys then come
 * last); undefined when none is shared. The head is the record without them: JSON leaves out
 * undefined values, so they are unset for the one synchronous stringify and put back (no copy of
 * the record: a rest spread of ~30 fields cost more than the stringify). Setting a field's value
 * keeps the object's shape. Each field by name, not in a loop over their names: the keyed loads
 * and stores of a loop were megamorphic (~8,000 instructions per record). */
function spliced(record: LogRecord): string | undefined {
  const r = record as Shareable;
  const { input, result, reasons, obligations, exceptions_applied: exceptions, bundles, labels, masked, erased } = r;
  const tInput = sharedText(input);
  const tResult = sharedText(result);
  const tReasons = sharedText(reasons);
  const tObligations = sharedText(obligations);
  const tExceptions = sharedText(exceptions);
  const tBundles = sharedText(bundles);
  const tLabels = sharedText(labels);
  const tMasked = sharedText(masked);
  const tErased = sharedText(erased);
  let tail = '';
  if (tInput !== undefined) tail += `,"input":${tInput}`;
  if (tResult !== undefined) tail += `,"result":${tResult}`;
  if (tReasons !== undefined) tail += `,"reasons":${tReasons}`;
  if (tObligations !== undefined) tail += `,"obligations":${tObligations}`;
  if (tExceptions !== undefined) tail += `,"exceptions_applied":${tExceptions}`;
  if (tBundles !== undefined) tail += `,"bundles":${tBundles}`;
  if (tLabels !== undefined) tail += `,"labels":${tLabels}`;
  if (tMasked !== undefined) tail += `,"masked":${tMasked}`;
  if (tErased !== undefined) tail += `,"erased":${tErased}`;
  if (tail === '') return undefined;
  let head: string;
  try {
    if (tInput !== undefined) r.input = undefined;
    if (tResult !== undefined) r.result = undefined;
    if (tReasons !== undefined) r.reasons = undefined;
    if (tObligations !== undefined) r.obligations = undefined;
    if (tExceptions !== undefined) r.exceptions_applied = undefined;
    if (tBundles !== undefined) r.bundles = undefined;
    if (tLabels !== undefined) r.labels = undefined;
    if (tMasked !== undefined) r.masked = undefined;
    if (tErased !== undefined) r.erased = undefined;
    head = toJsonText(record);
  } finally {
    if (tInput !== undefined) r.input = input;
    if (tResult !== undefined) r.result = result;
    if (tReasons !== undefined) r.reasons = reasons;
    if (tObligations !== undefined) r.obligations = obligations;
    if (tExceptions !== undefined) r.exceptions_applied = exceptions;
    if (tBundles !== undefined) r.bundles = bundles;
    if (tLabels !== undefined) r.labels = labels;
    if (tMasked !== undefined) r.masked = masked;
    if (tErased !== undefined) r.erased = erased;
  }
  return head === '{}' ? `{${tail.slice(1)}}` : `${head.slice(0, -1)}${tail}}`;
}
