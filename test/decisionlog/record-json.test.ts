// A record's JSON text: the masked input and result that records of equal decisions share
// (cache hits) are written once and spliced into each record's text, which must read back as
// the record itself.
import t from 'tap';
import { Masker, type MaskHint } from '../../src/decisionlog/mask/masker.js';
import { policyMaskFrom } from '../../src/decisionlog/mask/policy-mask.js';
import { hasPlainIds, markSharedField, millisText, recordJson, toJsonText } from '../../src/decisionlog/record-json.js';
import { toLogRecord } from '../../src/decisionlog/record.js';
import type { LogRecord } from '../../src/decisionlog/types.js';
import type { ActivePolicySet } from '../../src/bundles/types.js';
import { decidedRecord } from '../helpers/decision-record.js';

function record(id: string, input: unknown, result: unknown): LogRecord {
  return toLogRecord(
    decidedRecord(
      {
        decision_id: id,
        timestamp: '2026-12-05T00:00:00.000Z',
        path: 'p/decision',
        kind: 'data',
        input,
        result,
        outcome: 'decided',
        bundles: { b: 'r "1"' },
        cached: true,
        engine: 'rego',
        duration_ms: 1,
      },
      true,
    ),
    {},
  );
}

/** An evaluation's record, as the pipeline makes it (the caller marks `bundles` and `labels` shared). */
function evaluationRecord(bundles: object, labels: Record<string, string>, fields: Partial<LogRecord>): LogRecord {
  return {
    decision_id: 'd-1',
    timestamp: '2026-12-06T00:00:00.000Z',
    path: 'ai/tools/decision',
    kind: 'tool-call',
    caller: null,
    caller_auth: 'none',
    peer_address: '127.0.0.1',
    allow: true,
    outcome: 'decided',
    reasons: [],
    obligations: [],
    exceptions_applied: [],
    bundles,
    engine: 'rego',
    cached: false,
    cache_tier: null,
    latency_ms: 0.25,
    trace_id: 'ab',
    span_id: 'cd',
    raw: false,
    labels,
    ...fields,
  } as LogRecord;
}

/** A masker whose bundle's mask policy answers these rules for every record. */
function maskerWith(rules: string[]): Masker {
  const set = {
    revisions: {},
    engineFor: () => 'rego' as const,
    inputKeys: () => new Set(['input', 'result', 'path']),
    evaluate: () => ({
      ok: true as const,
      defined: true,
      result: rules,
      dependsOn: { time: false, random: false, external: false },
      engine: 'rego' as const,
    }),
  } satisfies ActivePolicySet;
  return new Masker({ policyMask: policyMaskFrom(() => set) });
}

/** Another value of a field's type (a string that needs escaping, an object for an object). */
const other = (v: unknown): unknown =>
  typeof v === 'string' ? `${v}-other "quoted" é` : typeof v === 'number' ? v + 1.5 : typeof v === 'boolean' ? !v : v === null ? 'x' : { other: [v] };

/** JSON.parse, with integers past 2^53 kept as text so two texts compare exactly. */
const parse = (s: string): unknown => JSON.parse(s.replace(/\b(\d{16,})\b/g, '"$1n"'));

t.test('shared fields are spliced in; the text reads back as the record', async (t) => {
  const shapes: [string, (r: LogRecord) => void][] = [
    ['input and result shared', (r) => (markSharedField(r.input), markSharedField(r.result))],
    ['only the input shared', (r) => markSharedField(r.input)],
    ['only the result shared', (r) => markSharedField(r.result)],
    ['neither', () => undefined],
  ];
  for (const [name, mark] of shapes) {
    const input = { a: 'x"y\u2028', n: [1, 2.5, null, true], big: 2n ** 64n, nested: { z: {} } };
    const result = { allow: false, reasons: [{ code: 'C', message: 'm' }] };
    const r = record('id-1', input, result);
    mark(r);
    const text = recordJson(r);
    t.same(
      parse(text),
      parse(JSON.stringify({ ...r, input: { ...input, big: '18446744073709551616' } }).replace('"18446744073709551616"', '18446744073709551616')),
      name,
    );
    t.equal(recordJson(r), text, `${name}: the record's text is kept`);
  }
});

t.test('a record without input (dropped) and a scalar result', async (t) => {
  const r = record('id-2', undefined, 7);
  delete r.input;
  markSharedField(r.result);
  t.same(JSON.parse(recordJson(r)), JSON.parse(JSON.stringify(r)));
  t.notOk('input' in (JSON.parse(recordJson(r)) as object));
});

t.test('records of one cache key: the shared masked input is serialized once', async (t) => {
  const RESULT = { allow: true };
  const masker = maskerWith(['/input/secret']);
  const hint: MaskHint = { anchor: RESULT, key: 'k' };
  const records = ['a', 'b', 'c'].map((id) => masker.mask(record(id, { secret: 's', keep: 1 }, RESULT), hint));
  const shared = records[0]!.input;
  t.ok(
    records.every((r) => r.input === shared),
    'one masked input object for the three records',
  );
  const stringify = JSON.stringify;
  const written: unknown[] = [];
  // whether each value had an input at the moment it was written
  const withInput: boolean[] = [];
  JSON.stringify = ((v: unknown, ...rest: []) => {
    written.push(v);
    withInput.push(typeof v === 'object' && v !== null && (v as { input?: unknown }).input !== undefined);
    return stringify(v, ...rest);
  }) as typeof JSON.stringify;
  const before = records.map((r) => [r.input, r.result]);
  let texts: string[];
  try {
    texts = records.map(recordJson);
  } finally {
    JSON.stringify = stringify;
  }
  t.equal(written.filter((v) => v === shared).length, 1, 'the shared input written once');
  t.notOk(
    withInput.some((had, i) => had && written[i] !== shared),
    'no record written with its input inside',
  );
  t.same(
    records.map((r) => [r.input, r.result]),
    before,
    'each record holds its input and result again once written',
  );
  t.ok(
    records.every((r, i) => r.input === before[i]![0] && r.result === before[i]![1]),
    'the very same values',
  );
  for (const [i, text] of texts.entries()) {
    const r = JSON.parse(text) as Record<string, unknown>;
    t.equal(r.decision_id, ['a', 'b', 'c'][i]);
    t.same(r.input, { keep: 1 }, 'masked');
    t.same(r.result, { allow: true });
  }
  t.same(Object.getOwnPropertySymbols({ ...(shared as object) }), [], 'a copy of a shared field is not marked');
});

t.test('a shared mark is set once: marking again keeps the text written', async (t) => {
  const value = { a: [1, 2] };
  markSharedField(value);
  const r1 = record('m1', value, { allow: true });
  const stringify = JSON.stringify;
  let writes = 0;
  JSON.stringify = ((v: unknown, ...rest: []) => {
    if (v === value) writes++;
    return stringify(v, ...rest);
  }) as typeof JSON.stringify;
  try {
    recordJson(r1);
    markSharedField(value);
    recordJson(record('m2', value, { allow: true }));
  } finally {
    JSON.stringify = stringify;
  }
  t.equal(writes, 1, 'the value was written once for both records');
});

t.test('a decision logged once is not marked shared; its first reuse marks it', async (t) => {
  const RESULT = { allow: true, reasons: [] };
  const masker = maskerWith(['/input/secret']);
  const hint: MaskHint = { anchor: RESULT, key: 'k' };
  const first = masker.mask(record('a', { secret: 's', keep: 1 }, RESULT), hint);
  // the record's result: the masked copy the records share
  const marks = (): string[] => Object.getOwnPropertySymbols(first.result as object).map((x) => x.description ?? '');
  t.notOk(marks().includes('pdp.record.field.json'), 'the result is not marked shared');
  const text = recordJson(first);
  t.same(JSON.parse(text).input, { keep: 1 });
  const second = masker.mask(record('b', { secret: 's', keep: 1 }, RESULT), hint);
  t.equal(second.input, first.input, 'the masked input reused');
  t.equal(second.result, first.result, 'and the masked result');
  t.ok(marks().includes('pdp.record.field.json'), 'the result is marked shared now');
  t.same(JSON.parse(recordJson(second)), { ...JSON.parse(text), decision_id: 'b' }, 'the same record text but the id');
});

t.test("cache hits' records: the decision's parts, the bundles, the labels and the mask's pointers are written once", async (t) => {
  const RESULT = { allow: false, reasons: [{ code: 'C', message: 'quote " \u2028' }] };
  const masker = maskerWith(['/input/secret', '/result/reasons/0/message']);
  const hint: MaskHint = { anchor: RESULT, key: 'k' };
  const revisions = { b: 'r "1"' };
  const labels = { app: 'pdp', id: 'x' };
  markSharedField(labels);
  const reasons = RESULT.reasons;
  const obligations = [{ type: 'notify', reason: 'r' }];
  const records = ['a', 'b', 'c'].map((id) => {
    const fields = {
      decision_id: id,
      timestamp: '2026-12-05T00:00:00.000Z',
      path: 'p/decision',
      kind: 'tool-call' as const,
      input: { secret: 's', keep: 1 },
      result: RESULT,
      outcome: 'decided' as const,
      bundles: revisions,
      cached: id !== 'a',
      engine: 'rego' as const,
      duration_ms: 1,
    };
    const d = decidedRecord(fields, false, reasons);
    d.decision = { ...d.decision!, obligations };
    return masker.mask(toLogRecord(d, labels), hint, true);
  });
  const stringify = JSON.stringify;
  const written: unknown[] = [];
  JSON.stringify = ((v: unknown, ...rest: []) => {
    written.push(v);
    return stringify(v, ...rest);
  }) as typeof JSON.stringify;
  let texts: string[];
  try {
    texts = records.map(recordJson);
  } finally {
    JSON.stringify = stringify;
  }
  const r0 = records[0]!;
  t.ok(Array.isArray(r0.erased), 'the mask removed something');
  t.equal(records[1]!.erased, r0.erased, 'the mask pointers: one array for the records of equal decisions');
  for (const [name, v] of [
    ['reasons', r0.reasons],
    ['obligations', r0.obligations],
    ['bundles', r0.bundles],
    ['labels', r0.labels],
    ['erased', r0.erased],
  ] as const) {
    t.ok(
      records.every((r) => (r as unknown as Record<string, unknown>)[name] === v),
      `${name}: the same object in every record`,
    );
    t.equal(written.filter((w) => w === v).length, 1, `${name}: written once for the three records`);
  }
  for (const [i, text] of texts.entries()) {
    const back = JSON.parse(text) as Record<string, unknown>;
    t.same(back, JSON.parse(stringify(records[i])), `record ${i}: the text reads back as the record`);
    t.same(back.erased, ['/input/secret', '/result/reasons/0/message'], 'the pointers the mask removed');
  }
  t.same((JSON.parse(texts[2]!) as { input: unknown }).input, { keep: 1 });
});

t.test("a shared result keeps the text of its records' other fields: only what differs is written anew", async (t) => {
  const result = { allow: true };
  markSharedField(result);
  const shared = {
    reasons: [{ code: 'C' }],
    obligations: [],
    exceptions_applied: [],
    bundles: { b: { revision: '1' } },
    labels: { id: 'x' },
    erased: ['/input/a'],
    masked: ['/input/b'],
  };
  const input = { a: 1 };
  const nd = { 'time.now_ns': { '[]': 1 } };
  for (const v of Object.values(shared)) markSharedField(v);
  const full = (): LogRecord => ({
    decision_id: 'd-1',
    timestamp: '2026-12-06T00:00:00.000Z',
    path: 'ai/tools/decision',
    kind: 'tool-call',
    caller: 'gw',
    caller_auth: 'api_key',
    peer_address: '10.0.0.1',
    allow: true,
    outcome: 'decided',
    ...shared,
    engine: 'rego',
    cached: true,
    cache_tier: 'memory',
    latency_ms: 0.25,
    trace_id: 'ab',
    span_id: 'cd',
    raw: false,
    metrics: { timer_server_handler_ns: 250_000 },
    on_behalf_of: { id: 'alice', asserted: true },
    ignored_on_behalf_of: 'mallory',
    requested_by: '10.0.0.1:5000',
    req_id: 3,
    error: { code: 'E', message: 'm' },
    origin: { protocol: 'admission', uid: 'u', operation: 'CREATE', kind: 'Pod', namespace: 'n', name: 'p', mode: 'enforce', dry_run: false },
    input,
    result,
    nd_builtin_cache: nd,
    mask_error: 'x',
  });
  const agrees = (r: LogRecord, what: string) => {
    const keys = Object.keys(r);
    t.same(JSON.parse(recordJson(r)), JSON.parse(JSON.stringify(r)), what);
    t.same(Object.keys(r), keys, `${what}: the record's own fields are as they were`);
  };
  agrees(full(), 'the first record');
  agrees(full(), 'an equal record (the kept text)');
  // Every field, changed alone on a record otherwise equal to the last one written.
  for (const k of Object.keys(full()) as (keyof LogRecord)[]) {
    if (k === 'result') continue;
    const r = full() as unknown as Record<string, unknown>;
    r[k] = other(r[k]);
    agrees(r as unknown as LogRecord, `${k} changed`);
    agrees(full(), `${k} back as it was`);
  }
  for (const k of ['on_behalf_of', 'error', 'origin', 'requested_by', 'req_id', 'metrics', 'nd_builtin_cache', 'mask_error', 'input'] as const) {
    const r = full();
    delete r[k];
    agrees(r, `without ${k}`);
  }
  for (const [what, change] of [
    ['an error with another message', { error: { code: 'E', message: 'another message' } }],
    ['on behalf of another user', { on_behalf_of: { id: 'bob', asserted: true } }],
  ] as const) {
    agrees(full(), `before: ${what}`);
    agrees({ ...full(), ...change }, what);
  }
  const nulls = { ...full(), caller: null, peer_address: null, trace_id: null, span_id: null, kind: null, allow: null, cache_tier: null };
  agrees(nulls, 'nulls');
  agrees({ ...full(), decision_id: 'a"b\\c\u2028\ud800', requested_by: 'ü', latency_ms: NaN }, 'per-request fields that need escaping');
});

t.test("an evaluation's record (its result not shared): the snapshot's common fields are written once", async (t) => {
  const bundles = { b: { revision: '1', digest: 'd' } };
  const labels = { id: 'x', app: 'pdp' };
  markSharedField(bundles);
  markSharedField(labels);
  const erased = ['/input'];
  markSharedField(erased);
  let n = 0;
  const plain = (): LogRecord =>
    evaluationRecord(bundles, labels, {
      decision_id: `d-${++n}`,
      caller: 'gw',
      caller_auth: 'api_key',
      peer_address: '10.0.0.1',
      allow: false,
      reasons: [{ code: 'C', message: `m ${n}` }],
      metrics: { timer_server_handler_ns: 250_000 },
      requested_by: '10.0.0.1:5000',
      req_id: n,
      result: { allow: false, reasons: [{ code: 'C' }], big: 2n ** 64n },
      erased,
    });
  const agrees = (r: LogRecord, what: string) => {
    const keys = Object.keys(r);
    t.same(parse(recordJson(r)), parse(toJsonText(r)), what);
    t.same(Object.keys(r), keys, `${what}: the record's own fields are as they were`);
  };
  agrees(plain(), 'the first record');
  const stringify = JSON.stringify;
  const written: unknown[] = [];
  JSON.stringify = ((v: unknown, ...rest: []) => {
    written.push(v);
    return stringify(v, ...rest);
  }) as typeof JSON.stringify;
  let text: string;
  try {
    text = recordJson(plain());
  } finally {
    JSON.stringify = stringify;
  }
  t.notOk(
    written.some((w) => w === bundles || w === labels || w === 'ai/tools/decision' || w === 'tool-call'),
    'the next record: bundles, labels, path and kind from the kept text',
  );
  t.match(text, /"bundles":\{"b":\{"revision":"1","digest":"d"\}\}/);
  for (const k of Object.keys(plain()) as (keyof LogRecord)[]) {
    const r = plain() as unknown as Record<string, unknown>;
    r[k] = other(r[k]);
    agrees(r as unknown as LogRecord, `${k} changed`);
    agrees(plain(), `${k} back as it was`);
  }
  for (const [k, v] of [
    ['input', { a: 'x"y', n: [1, 2.5, null] }],
    ['masked', ['/input/a']],
    ['on_behalf_of', { id: 'alice', asserted: true }],
    ['ignored_on_behalf_of', 'mallory'],
    ['error', { code: 'E', message: 'm' }],
    ['origin', { protocol: 'admission', uid: 'u', operation: 'CREATE', kind: 'Pod', namespace: 'n', name: 'p', mode: 'enforce', dry_run: false }],
    ['nd_builtin_cache', { 'time.now_ns': { '[]': 1 } }],
    ['mask_error', 'x'],
  ] as const) {
    agrees({ ...plain(), [k]: v }, `with ${k}`);
  }
  // A mask policy may remove the decision's parts too (`/reasons` erased).
  for (const k of ['metrics', 'requested_by', 'req_id', 'result', 'erased', 'reasons', 'obligations', 'exceptions_applied'] as const) {
    const r = plain();
    delete r[k];
    agrees(r, `without ${k}`);
  }
  agrees({ ...plain(), caller: null, peer_address: null, trace_id: null, span_id: null, kind: null, allow: null, engine: null }, 'nulls');
  agrees(
    { ...plain(), decision_id: 'a"b\\c\u2028\ud800', caller: 'ü "x"', peer_address: '::1\n', latency_ms: NaN, req_id: Infinity },
    'per-request fields that need escaping',
  );
  agrees({ ...plain(), bundles: { ...bundles } }, 'bundles not shared');
  agrees({ ...plain(), labels: { ...labels } }, 'labels not shared');
});

t.test('ids the pipeline made are written without an escape test; others are escaped', async (t) => {
  const fields = (plain: boolean | undefined, id: string, trace: string) =>
    decidedRecord(
      {
        decision_id: id,
        timestamp: '2026-12-07T07:00:00.123Z',
        path: 'ai/tools/decision',
        kind: 'tool-call',
        input: { a: 1 },
        result: { allow: true },
        outcome: 'decided',
        bundles: { b: 'r1' },
        cached: false,
        engine: 'rego',
        duration_ms: 0.5,
        trace_id: trace,
        span_id: 'b7ad6b7169203331',
        requested_by: '127.0.0.1:5000',
        ...(plain === undefined ? {} : { plain_ids: plain }),
      },
      true,
    );
  const labels = { app: 'pdp' };
  markSharedField(labels);
  for (const plain of [true, false, undefined]) {
    const r = toLogRecord(fields(plain, '95c07048-1819-410a-8a12-79ae20073797', '0af7651916cd43dd8448eb211c80319c'), labels);
    t.equal(hasPlainIds(r), plain === true, `plain_ids ${String(plain)}: marked accordingly`);
    t.same(JSON.parse(recordJson(r)), JSON.parse(toJsonText(r)), `plain_ids ${String(plain)}: the text reads back as the record`);
    t.notOk(
      Object.keys(r).some((k) => /plain/i.test(k)),
      'the mark is no field of the record',
    );
    t.notMatch(toJsonText(r), /plain/i, 'nor in its JSON');
  }
  // Not marked: an id that needs escaping is escaped (a caller's id, e.g. an admission uid).
  const hostile = toLogRecord(fields(false, 'a"b\\c\u2028', 'x"y'), labels);
  t.same(JSON.parse(recordJson(hostile)), JSON.parse(toJsonText(hostile)), 'escaped as JSON.stringify escapes it');
});

t.test('a latency in milliseconds is written as JSON.stringify writes it', async (t) => {
  let differ = 0;
  let first = '';
  const check = (ms: number): void => {
    if (millisText(ms) !== JSON.stringify(ms)) {
      differ++;
      first ||= `${ms}: ${millisText(ms)} vs ${JSON.stringify(ms)}`;
    }
  };
  // Every microsecond up to 2 s, as record.ts rounds them, then larger and stranger values.
  for (let k = 0; k <= 2_000_000; k++) check(Math.round((k / 1000) * 1000) / 1000);
  for (let k = 0; k < 100_000; k++) check(Math.round(Math.random() * 1e12) / 1000);
  for (const ms of [0.1 + 0.2, 1e-7, 123.4567, -0, -1.5, 1e21, 1e15, NaN, Infinity, Number.MAX_VALUE, 5e-324]) check(ms);
  t.equal(differ, 0, first || 'all agree');
});

// An evaluation's result that is the decision document itself is written from the text of the
// record's own parts (src/decisionlog/record-json.ts decisionDocumentText): the text must be
// JSON.stringify's to the character — key order included — for every shape, and anything that is
// not exactly such a document must take the stringify path.
t.test("a decision document result: written from its parts' text exactly as JSON.stringify writes it", async (t) => {
  const bundles = { b: { revision: '1', digest: 'd' } };
  const labels = { id: 'x' };
  markSharedField(bundles);
  markSharedField(labels);
  const reasons = [{ code: 'C', message: 'm "q"' }];
  const obligations = [{ type: 'redact', fields: ['a'] }];
  const base = (result: unknown, parts: Partial<LogRecord> = {}): LogRecord => evaluationRecord(bundles, labels, { allow: true, result, ...parts });
  class Doc {
    allow = true;
    exceptions_applied = [];
    obligations = [];
    reasons = [];
    toJSON() {
      return { allow: 'from toJSON' };
    }
  }
  const inherited = Object.assign(Object.create({ inherited: 1 }) as object, { allow: true, exceptions_applied: [], obligations: [], reasons: [] });
  const proto = JSON.parse('{"allow":true,"exceptions_applied":[],"obligations":[],"__proto__":[],"reasons":[]}') as unknown;
  const cases: [string, LogRecord][] = [
    ['an allow with three empty arrays', base({ allow: true, exceptions_applied: [], obligations: [], reasons: [] })],
    ['a deny with empty arrays', base({ allow: false, exceptions_applied: [], obligations: [], reasons: [] }, { allow: false })],
    ["a deny whose reasons are the record's own", base({ allow: false, exceptions_applied: [], obligations, reasons }, { allow: false, reasons, obligations })],
    [
      'reasons equal but not the same array',
      base({ allow: false, exceptions_applied: [], obligations: [], reasons: [{ code: 'C', message: 'm "q"' }] }, { reasons }),
    ],
    ['keys in another order', base({ reasons: [], allow: true, exceptions_applied: [], obligations: [] })],
    ['an extra key', base({ allow: true, exceptions_applied: [], obligations: [], reasons: [], z: 1 })],
    ['a key missing', base({ allow: true, exceptions_applied: [], obligations: [] })],
    ['allow not a boolean', base({ allow: 'yes', exceptions_applied: [], obligations: [], reasons: [] })],
    ['a part not an array', base({ allow: true, exceptions_applied: {}, obligations: [], reasons: [] })],
    ['a class with toJSON', base(new Doc())],
    ['an inherited enumerable key', base(inherited)],
    ['an own __proto__ key', base(proto)],
    ['a record whose parts a mask removed', base({ allow: false, exceptions_applied: [], obligations: [], reasons }, { reasons: undefined })],
    ['a scalar result', base(true)],
    ['an array result', base([true])],
  ];
  for (const [what, r] of cases) {
    const text = recordJson(r);
    // The record's fields come in another order than JSON.stringify's (kept text last); the
    // result's own text must be stringify's exactly.
    t.ok(text.includes(`,"result":${JSON.stringify(r.result)},`), `${what}: ${text.slice(text.indexOf('"result"'), text.indexOf('"result"') + 120)}`);
    t.same(parse(text), parse(JSON.stringify(r)), `${what}: reads back as the record`);
  }
});
