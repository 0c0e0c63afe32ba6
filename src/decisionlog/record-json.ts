// A record's JSON text, written once: the in-memory store keeps its bytes, and the stdout and
// Redis sinks send it. Records are never modified after masking, so the text stays true. What
// records share is written once: a shared field's text is kept on its value, and a cache hit's
// record (its masked result shared) writes only its per-request fields before the text of the
// rest, kept on that result (withKeptTail).
import { configure } from 'safe-stable-stringify';
import { quoted } from '../shared/json-quote.js';
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

/** Set on a record whose decision_id, timestamp, trace_id and span_id are text JSON writes as it
 * is (DecisionRecord.plain_ids): quoted without an escape test (see quoted()). A symbol, so
 * JSON.stringify and the policies never see it; masks cannot change those fields. */
const PLAIN_IDS = Symbol('pdp.record.plainIds');
type Marked = LogRecord & { [PLAIN_IDS]?: boolean };

/** Marks the record's ids as known to need no escaping (see PLAIN_IDS); set on every record made
 * from a decision (true or false), which keeps one shape. */
export function markPlainIds(record: LogRecord, plain: boolean): void {
  (record as Marked)[PLAIN_IDS] = plain;
}

/** Whether the record's ids need no escaping (see markPlainIds). */
export function hasPlainIds(record: LogRecord): boolean {
  return (record as Marked)[PLAIN_IDS] === true;
}

/** Masked fields shared by many records (an equal decision's, reapplied on cache hits: see the
 * masker) carry their own JSON text here once written: null until then. */
const FIELD_TEXT = Symbol('pdp.record.field.json');
type Shared = { [FIELD_TEXT]?: string | null };

/** Mark a record field's value as shared by the records that will carry it (it must never be
 * modified afterwards): their JSON then writes its text once. Scalars need no mark. */
export function markSharedField(value: unknown): void {
  // Marked once: marking again would drop the text already written (and cost a redefinition).
  if (typeof value !== 'object' || value === null || (value as Shared)[FIELD_TEXT] !== undefined) return;
  // not enumerable: a copy of the value ({...v}) is not marked, and comparisons do not see it
  if (Object.isExtensible(value)) Object.defineProperty(value, FIELD_TEXT, { value: null, writable: true });
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
  const json = withKeptTail(record) ?? withKeptStable(record) ?? spliced(record) ?? toJsonText(record);
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
function spliced(record: object): string | undefined {
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

/** The fields each request has its own values of; every other field of a record is the same on
 * the records of equal decisions (cache hits) from one caller. */
type PerRequest = 'decision_id' | 'timestamp' | 'latency_ms' | 'trace_id' | 'span_id' | 'metrics' | 'requested_by' | 'req_id' | 'origin';

/** A record's other fields ("tail"): absent ones undefined (JSON leaves them out). */
type TailFields = { [K in Exclude<keyof LogRecord, PerRequest>]-?: LogRecord[K] | undefined };
/** The tail's JSON (without braces), kept on a shared result object with the fields it was
 * written from: the next record whose fields are those same values has the same text. */
interface Tail {
  fields: TailFields;
  text: string;
}
const TAIL = Symbol('pdp.record.tail');
type Anchor = Shared & { [TAIL]?: Tail };

/** Whether `r`'s tail fields are exactly `t`'s. Objects by identity (shared ones are the same
 * objects), the on-behalf-of and error copies by their values. */
function sameTail(t: TailFields, r: LogRecord): boolean {
  return (
    t.result === r.result &&
    t.input === r.input &&
    t.reasons === r.reasons &&
    t.obligations === r.obligations &&
    t.exceptions_applied === r.exceptions_applied &&
    t.bundles === r.bundles &&
    t.labels === r.labels &&
    t.erased === r.erased &&
    t.masked === r.masked &&
    t.nd_builtin_cache === r.nd_builtin_cache &&
    t.path === r.path &&
    t.kind === r.kind &&
    t.caller === r.caller &&
    t.caller_auth === r.caller_auth &&
    t.peer_address === r.peer_address &&
    t.allow === r.allow &&
    t.outcome === r.outcome &&
    t.engine === r.engine &&
    t.cached === r.cached &&
    t.cache_tier === r.cache_tier &&
    t.raw === r.raw &&
    t.mask_error === r.mask_error &&
    t.ignored_on_behalf_of === r.ignored_on_behalf_of &&
    t.on_behalf_of?.id === r.on_behalf_of?.id &&
    t.on_behalf_of?.asserted === r.on_behalf_of?.asserted &&
    t.error?.code === r.error?.code &&
    t.error?.message === r.error?.message
  );
}

/** The record's tail fields, as an object of their own (its JSON is the tail's text). */
function tailFields(r: LogRecord): TailFields {
  return {
    path: r.path,
    kind: r.kind,
    caller: r.caller,
    caller_auth: r.caller_auth,
    peer_address: r.peer_address,
    on_behalf_of: r.on_behalf_of,
    ignored_on_behalf_of: r.ignored_on_behalf_of,
    allow: r.allow,
    outcome: r.outcome,
    engine: r.engine,
    cached: r.cached,
    cache_tier: r.cache_tier,
    raw: r.raw,
    error: r.error,
    mask_error: r.mask_error,
    result: r.result,
    input: r.input,
    reasons: r.reasons,
    obligations: r.obligations,
    exceptions_applied: r.exceptions_applied,
    bundles: r.bundles,
    labels: r.labels,
    nd_builtin_cache: r.nd_builtin_cache,
    erased: r.erased,
    masked: r.masked,
  };
}

/** A record whose result is shared (a cache hit's masked result): its per-request fields
 * written, the rest from the text kept on that result while the other fields stay the same —
 * a cache hit's record then costs the text of its ids and times only (bench/http/instructions.mjs:
 * the head's JSON.stringify alone was ~22,000 instructions). Undefined for other records. */
function withKeptTail(r: LogRecord): string | undefined {
  const anchor = r.result as Anchor | undefined;
  if (typeof anchor !== 'object' || anchor === null || anchor[FIELD_TEXT] === undefined) return undefined;
  let tail = anchor[TAIL];
  if (tail === undefined || !sameTail(tail.fields, r)) {
    const fields = tailFields(r);
    const text = (spliced(fields) ?? toJsonText(fields)).slice(1, -1);
    if (text === '') return undefined;
    tail = { fields, text };
    keep(anchor, TAIL, tail);
  }
  let head = perRequestText(r);
  if (r.origin !== undefined) head += `,"origin":${toJsonText(r.origin)}`;
  return `${head},${tail.text}}`;
}

/** The fields every record of one policy snapshot usually has the same values of (kept with
 * their text on the snapshot's bundles object): neither per request nor per evaluation. */
interface Stable {
  path: string;
  kind: string | null;
  caller_auth: string;
  outcome: string;
  engine: string | null;
  cached: boolean;
  cache_tier: string | null;
  raw: boolean;
  labels: Record<string, string>;
  text: string;
}
const STABLE = Symbol('pdp.record.stable');
type StableAnchor = Shared & { [STABLE]?: Stable };

/** A record of an evaluation (its result not shared): the per-request fields and the decision's
 * written one by one, the fields common to the snapshot's records from text kept on its bundles
 * object. V8's JSON.stringify costs some 400 instructions per string and per object value (its
 * toJSON lookup) besides the characters: the record's ~25 fields were ~25,000 instructions, 10 %
 * of a small policy's decision (bench/http/profile.mjs). Undefined for records with a rarer field
 * (on-behalf-of, error, origin, …): they take the general path. */
function withKeptStable(r: LogRecord): string | undefined {
  // Both must be objects marked shared (records put together elsewhere, e.g. by tests, may not be).
  const anchor = r.bundles as StableAnchor | undefined;
  const labels = r.labels as Shared | undefined;
  if (typeof anchor !== 'object' || anchor === null || anchor[FIELD_TEXT] === undefined) return undefined;
  if (typeof labels !== 'object' || labels === null || labels[FIELD_TEXT] === undefined) return undefined;
  if (
    r.on_behalf_of !== undefined ||
    r.ignored_on_behalf_of !== undefined ||
    r.error !== undefined ||
    r.mask_error !== undefined ||
    r.origin !== undefined ||
    r.nd_builtin_cache !== undefined
  ) {
    return undefined;
  }
  let s = anchor[STABLE];
  if (
    s === undefined ||
    s.path !== r.path ||
    s.kind !== r.kind ||
    s.caller_auth !== r.caller_auth ||
    s.outcome !== r.outcome ||
    s.engine !== r.engine ||
    s.cached !== r.cached ||
    s.cache_tier !== r.cache_tier ||
    s.raw !== r.raw ||
    s.labels !== r.labels
  ) {
    const { path, kind, caller_auth, outcome, engine, cached, cache_tier, raw, labels } = r;
    const text = flat(
      `"path":${toJsonText(path)},"kind":${toJsonText(kind)},"caller_auth":${toJsonText(caller_auth)},"outcome":${toJsonText(outcome)},"engine":${toJsonText(engine)},"cached":${cached},"cache_tier":${toJsonText(cache_tier)},"raw":${raw},"bundles":${sharedText(anchor) as string},"labels":${sharedText(labels) as string}`,
    );
    s = { path, kind, caller_auth, outcome, engine, cached, cache_tier, raw, labels, text };
    keep(anchor, STABLE, s);
  }
  let head = perRequestText(r);
  head += `,"caller":${r.caller === null ? 'null' : quoted(r.caller)},"peer_address":${r.peer_address === null ? 'null' : quoted(r.peer_address)}`;
  head += `,"allow":${r.allow === null ? 'null' : r.allow}`;
  // A mask may have removed any of the decision's parts.
  const reasons = r.reasons === undefined ? undefined : fieldText(r.reasons);
  const obligations = r.obligations === undefined ? undefined : fieldText(r.obligations);
  const exceptions = r.exceptions_applied === undefined ? undefined : fieldText(r.exceptions_applied);
  if (reasons !== undefined) head += `,"reasons":${reasons}`;
  if (obligations !== undefined) head += `,"obligations":${obligations}`;
  if (exceptions !== undefined) head += `,"exceptions_applied":${exceptions}`;
  if (r.result !== undefined) head += `,"result":${decisionDocumentText(r, reasons, obligations, exceptions) ?? fieldText(r.result)}`;
  if (r.input !== undefined) head += `,"input":${fieldText(r.input)}`;
  if (r.erased !== undefined) head += `,"erased":${fieldText(r.erased)}`;
  if (r.masked !== undefined) head += `,"masked":${fieldText(r.masked)}`;
  return `${head},${s.text}}`;
}

/** The keys of a decision document as the engine writes them (sorted). */
const DOCUMENT_KEYS = ['allow', 'exceptions_applied', 'obligations', 'reasons'];

/** The result's JSON when it is a decision document of exactly those keys, in that order, each
 * array the record's own part (whose text is given) or empty: written from those texts. JSON.stringify
 * of even an allow with three empty arrays costs ~8,000 instructions (a toJSON lookup per object
 * and array: bench/http/profile.mjs). Undefined otherwise (then it is stringified). */
function decisionDocumentText(r: LogRecord, reasons: string | undefined, obligations: string | undefined, exceptions: string | undefined): string | undefined {
  const d = r.result;
  // A plain object (no toJSON of its class for JSON.stringify to call).
  if (typeof d !== 'object' || d === null || Object.getPrototypeOf(d) !== Object.prototype) return undefined;
  const doc = d as Record<string, unknown>;
  let i = 0;
  // Enumerable keys, own and inherited: what JSON.stringify writes, and more — any extra is a mismatch.
  for (const k in doc) if (k !== DOCUMENT_KEYS[i++]) return undefined;
  if (i !== DOCUMENT_KEYS.length || typeof doc.allow !== 'boolean') return undefined;
  const e = partText(doc.exceptions_applied, r.exceptions_applied, exceptions);
  const o = partText(doc.obligations, r.obligations, obligations);
  const rs = partText(doc.reasons, r.reasons, reasons);
  if (e === undefined || o === undefined || rs === undefined) return undefined;
  return `{"allow":${doc.allow ? 'true' : 'false'},"exceptions_applied":${e},"obligations":${o},"reasons":${rs}}`;
}

/** A document's part as text: the record's own copy's when it is that very array, `[]` when empty. */
function partText(v: unknown, own: unknown, ownText: string | undefined): string | undefined {
  if (v === own && ownText !== undefined) return ownText;
  return Array.isArray(v) && v.length === 0 ? '[]' : undefined;
}

/** `{` and the record's per-request fields but the origin (ids, times, metrics, the peer's port). */
function perRequestText(r: LogRecord): string {
  const plain = (r as Marked)[PLAIN_IDS] === true;
  let head = `{"decision_id":${quoted(r.decision_id, plain)},"timestamp":${quoted(r.timestamp, plain)},"latency_ms":${millisText(r.latency_ms)}`;
  head += `,"trace_id":${r.trace_id === null ? 'null' : quoted(r.trace_id, plain)},"span_id":${r.span_id === null ? 'null' : quoted(r.span_id, plain)}`;
  if (r.metrics !== undefined) head += `,"metrics":${metricsText(r.metrics)}`;
  if (r.requested_by !== undefined) head += `,"requested_by":${quoted(r.requested_by)}`;
  if (r.req_id !== undefined) head += `,"req_id":${numberText(r.req_id)}`;
  return head;
}

/** The same text as one flat string. A concatenation is a tree of its pieces, which V8 copies
 * into one string when the text is first written out; kept text that many records end with is
 * made flat once, so that each record's copy does not walk its ~20 pieces again. (JSON.parse of
 * JSON.stringify's literal gives back exactly the same characters, as one sequential string.) */
function flat(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** Keeps `value` on a shared object under `key`: not enumerable, so copies and comparisons do not
 * see it. */
function keep(anchor: object, key: symbol, value: unknown): void {
  if (key in anchor) (anchor as Record<symbol, unknown>)[key] = value;
  else Object.defineProperty(anchor, key, { value, writable: true });
}

/** The metrics' JSON: written here when they are the handler's time alone (as they are unless
 * the engine measured more), else by JSON.stringify. */
function metricsText(m: NonNullable<LogRecord['metrics']>): string {
  for (const k in m) if (k !== 'timer_server_handler_ns') return toJsonText(m);
  const ns = m.timer_server_handler_ns;
  return typeof ns === 'number' ? `{"timer_server_handler_ns":${numberText(ns)}}` : toJsonText(m);
}

/** A field's JSON: kept text when it is shared, `[]` without a call. */
function fieldText(v: unknown): string {
  if (Array.isArray(v) && v.length === 0) return '[]';
  return sharedText(v) ?? toJsonText(v);
}

/** A number as JSON.stringify writes it. */
function numberText(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/** Milliseconds rounded to the microsecond (as a record's latency is), as JSON.stringify writes
 * them: from whole numbers, whose text V8 keeps in a cache — a fraction's shortest decimal form
 * costs ~1,500 instructions. Exact: the double nearest to k/1000 prints as k/1000's decimal
 * digits, trailing zeros dropped (no shorter decimal lands on it, none longer is needed). */
export function millisText(ms: number): string {
  const k = Math.round(ms * 1000);
  if (k / 1000 !== ms || k < 0 || k >= 1e15) return numberText(ms);
  const whole = Math.floor(k / 1000);
  let frac = k - whole * 1000;
  if (frac === 0) return String(whole);
  let digits = 3;
  while (frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  const f = String(frac);
  return `${whole}.${f.length < digits ? '0'.repeat(digits - f.length) + f : f}`;
}
