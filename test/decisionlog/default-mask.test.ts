// The default mask program in JavaScript (src/decisionlog/mask/default-mask.ts) against the Rego
// it stands in for (policies/system/log/mask.rego), evaluated by the engine on the repo's real
// bundle: the same rules, byte for byte, on every example request and on generated hostile
// records; and the Rego kept wherever the program is not exactly the one implemented.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { activate, prepareBundle } from '../../src/bundles/activate.js';
import type { ActivePolicySet } from '../../src/bundles/types.js';
import { defaultMask, defaultMaskRules, type DefaultMaskLists, type MaskedRecordView } from '../../src/decisionlog/mask/default-mask.js';
import { deepFreeze } from '../../src/shared/deep-freeze.js';
import { Masker } from '../../src/decisionlog/mask/masker.js';
import { policyMaskFrom } from '../../src/decisionlog/mask/policy-mask.js';
import {
  DEFAULT_MASK_PROGRAM,
  MAX_KEPT_RESULTS,
  MAX_LISTED_SHAPES,
  maskProgramDigest,
  probeRecords,
  recognizeDefaultMask,
} from '../../src/decisionlog/mask/recognize-default-mask.js';
import { toLogRecord } from '../../src/decisionlog/record.js';
import type { LogRecord } from '../../src/decisionlog/types.js';
import { decidedRecord } from '../helpers/decision-record.js';
import { EventEmitter } from 'node:events';
import { inject, injectApp, injectJson, postJson, send } from '../helpers/http.js';
import { SwappablePolicies } from '../helpers/js-engine.js';
import { startReal } from '../helpers/real-server.js';
import { rng } from '../helpers/rng.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MASK_PATH = 'system/log/mask';

function policyFiles(): Map<string, string> {
  const dir = join(root, 'policies');
  const out = new Map<string, string>();
  for (const f of readdirSync(dir, { recursive: true }).map(String)) {
    if (f.endsWith('.rego') || f.endsWith('.json') || f === '.manifest') out.set(relative(dir, join(dir, f)), readFileSync(join(dir, f), 'utf8'));
  }
  return out;
}

async function policySet(files: Map<string, string>): Promise<ActivePolicySet> {
  const bytes = new Map([...files].map(([k, v]) => [k, new TextEncoder().encode(v)]));
  return (await activate(null, await prepareBundle('ai-governance', bytes, null))).set;
}

const SHIPPED = policyFiles();
const MASK_FILE = 'system/log/mask.rego';
const shippedMask = SHIPPED.get(MASK_FILE)!;

function withMask(source: string, extra: Record<string, string> = {}): Map<string, string> {
  const files = new Map(SHIPPED);
  files.set(MASK_FILE, source);
  for (const [k, v] of Object.entries(extra)) files.set(k, v);
  return files;
}

const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

function regoRules(set: ActivePolicySet, record: MaskedRecordView): unknown {
  const out = set.evaluate(MASK_PATH, record);
  if (!out.ok) throw new Error(`${out.code}: ${out.message}`);
  return out.defined ? out.result : undefined;
}

const KEYS = [
  'agent',
  'id',
  'tool',
  'name',
  'user',
  'roles',
  'model',
  'evaluation',
  'metrics',
  'a/b',
  '~',
  '~1',
  '',
  '__proto__',
  'constructor',
  'é',
  '😀',
  '\ud800',
  '\ufb00',
  'k',
];
const STRINGS = ['', 'x', 'prod', 'sha256:' + 'ab'.repeat(20), '2026-01-02T03:04:05Z', '2026-01-02 03:04:05Z', '😀😀', '\udc00\ud800', 'a\nb', '\u0000'];

function value(next: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const r = next();
  if (depth > 0 && r < 0.3) {
    const o: Record<string, unknown> = {};
    const n = Math.floor(next() * 4);
    for (let i = 0; i < n; i++) Object.defineProperty(o, pick(KEYS), { value: value(next, depth - 1), enumerable: true, writable: true, configurable: true });
    return o;
  }
  if (depth > 0 && r < 0.45) return Array.from({ length: Math.floor(next() * 3) }, () => value(next, depth - 1));
  if (r < 0.6) return pick(STRINGS);
  if (r < 0.7) return pick([0, -1.5, 1e300, 2 ** 53 + 2]);
  if (r < 0.75) return 2n ** 64n + 1n;
  if (r < 0.85) return next() < 0.5;
  return null;
}

/** A request shaped like the real ones (so kept fields occur), with random values at random depths. */
function generated(next: () => number, lists: DefaultMaskLists): MaskedRecordView {
  const paths = [
    'ai/tools/decision',
    'ai/tools/allow',
    'ai/tools/arguments',
    'ai/deployment/decision',
    'ai/deployment',
    'ai/toolsx/y',
    'x',
    ...lists.keptResults,
  ];
  const input: Record<string, unknown> = {};
  for (const shape of [...lists.toolCall.keys(), ...lists.deployment.keys(), '/model/evaluation/metrics/auc', '/model/evaluation/metrics/a/b']) {
    if (next() < 0.4) continue;
    const segs = shape.split('/').slice(1);
    let cur: Record<string, unknown> | unknown[] = input;
    for (let i = 0; i < segs.length; i++) {
      const last = i === segs.length - 1;
      const v = last ? value(next, 1) : segs[i + 1] === '~' ? [] : {};
      if (Array.isArray(cur)) {
        cur.push(v);
        cur = (cur.length > 0 ? cur[0] : v) as Record<string, unknown>;
        if (Array.isArray(cur) || typeof cur !== 'object' || cur === null) break;
      } else {
        const k = segs[i]!;
        if (!(k in cur)) cur[k] = v;
        const c = cur[k];
        if (typeof c !== 'object' || c === null) break;
        cur = c as Record<string, unknown>;
      }
    }
  }
  if (next() < 0.8) input.extra = value(next, 5);
  const rec: MaskedRecordView = { path: paths[Math.floor(next() * paths.length)]! };
  if (next() < 0.95) rec.input = next() < 0.05 ? value(next, 0) : input;
  if (next() < 0.9) rec.result = value(next, 4);
  return rec;
}

function exampleBodies(): { file: string; body: unknown }[] {
  const out: { file: string; body: unknown }[] = [];
  for (const dir of ['tool-call', 'model-deployment', 'mcp']) {
    for (const f of readdirSync(join(root, 'examples', dir))) {
      if (!f.endsWith('.json')) continue;
      const doc = JSON.parse(readFileSync(join(root, 'examples', dir, f), 'utf8')) as Record<string, unknown>;
      out.push({ file: `${dir}/${f}`, body: doc.input ?? doc.body ?? doc });
    }
  }
  return out;
}

t.test('the shipped mask.rego is the program default-mask.ts implements', async (t) => {
  const set = await policySet(SHIPPED);
  const mod = set.policies!().find((m) => m.id.endsWith(MASK_FILE));
  t.ok(mod, 'the mask module is in the bundle');
  t.equal(
    maskProgramDigest(mod!.ast),
    DEFAULT_MASK_PROGRAM,
    'policies/system/log/mask.rego changed beyond its field lists: change src/decisionlog/mask/default-mask.ts to match, then DEFAULT_MASK_PROGRAM',
  );
  const lists = recognizeDefaultMask(set, MASK_PATH);
  t.ok(lists, 'recognized in the repo bundle');
  t.same(lists, regoLists(set), 'with the lists the Rego evaluates to');
  t.ok(lists!.keptResults.has('ai/tools/decision'));
});

/** The field lists as the engine evaluates them (independently of recognizeDefaultMask). */
function regoLists(set: ActivePolicySet): DefaultMaskLists {
  const doc = (name: string): unknown => {
    const out = set.evaluate(`system/log/${name}`, undefined);
    if (!out.ok || !out.defined) throw new Error(`data.system.log.${name} is not defined`);
    return out.result;
  };
  return {
    toolCall: new Map(Object.entries(doc('tool_call_fields') as Record<string, string>)),
    deployment: new Map(Object.entries(doc('deployment_fields') as Record<string, string>)),
    keptResults: new Set(doc('kept_results') as string[]),
  };
}

t.test('native rules equal the Rego mask on every example and on 600 generated records', async (t) => {
  const set = await policySet(SHIPPED);
  const lists = regoLists(set);
  let compared = 0;
  let masked = 0;
  const paths = ['ai/tools/decision', 'ai/tools/arguments', 'ai/deployment/decision', 'ai/deployment/allow', 'other'];
  for (const { file, body } of exampleBodies()) {
    for (const path of paths) {
      const record = { path, input: body, result: { allow: false, reasons: [{ code: 'C', message: 'why' }] } };
      const want = json(regoRules(set, record));
      if (json(defaultMaskRules(lists, record)) !== want) t.fail(`${file} at ${path}`);
      compared++;
    }
  }
  const next = rng(20261205);
  for (let i = 0; i < 600; i++) {
    const record = generated(next, lists);
    const want = regoRules(set, record);
    const got = defaultMaskRules(lists, record);
    masked += got.length;
    if (json(got) !== json(want)) {
      t.fail(`generated record ${i} differs`, { record: json(record), want: json(want), got: json(got) });
      break;
    }
    compared++;
  }
  t.ok(compared >= 600, `${compared} records compared`);
  t.ok(masked > 2000, `${masked} masked values among them`);
});

t.test('a repeated (deeply frozen) body: its masked input is kept with it, the result masked per record', async (t) => {
  const set = await policySet(SHIPPED);
  const lists = regoLists(set);
  // Other field lists (a new snapshot's): the kept masked input must not be used with them.
  const fewer: DefaultMaskLists = { toolCall: new Map(), deployment: new Map(), keptResults: lists.keptResults };
  const results = [
    { allow: false, reasons: [{ code: 'C', message: 'why' }] },
    { allow: true, reasons: [], obligations: [{ code: 'O', detail: 'secret 7' }] },
  ];
  let checked = 0;
  let kept = 0;
  for (const { file, body } of exampleBodies()) {
    const frozen = deepFreeze(structuredClone(body));
    for (const path of ['ai/tools/decision', 'ai/deployment/decision', 'other']) {
      for (const l of [lists, fewer]) {
        let first: unknown;
        for (const [i, result] of results.entries()) {
          // The oracle: the same record with an input nobody froze.
          const want = defaultMask(l, { path, input: structuredClone(body), result });
          const got = defaultMask(l, { path, input: frozen, result });
          if (json(got.rules) !== json(want.rules) || json(got.fields) !== json(want.fields)) t.fail(`${file} at ${path}, result ${i}`);
          else checked++;
          if (i === 0) first = got.fields.input;
          else if (got.fields.input === first) kept++;
        }
      }
    }
  }
  t.equal(checked, exampleBodies().length * 3 * 2 * 2, 'equal to an unfrozen input: rules and masked fields, every body, path and list');
  t.ok(kept > exampleBodies().length, `the second record's masked input is the first's (${kept} times)`);
  const body = deepFreeze({ agent: { id: 'a' }, arguments: { to: 'x@example.com' } });
  // A path whose results are not kept whole: the result's scalars are masked too.
  const a = defaultMask(lists, { path: 'other', input: body, result: { allow: true } });
  const b = defaultMask(lists, { path: 'other', input: body, result: { allow: false, reasons: [{ code: 'R', message: 'm' }] } });
  t.not(a.rules, b.rules, 'each call returns its own rules array');
  t.ok(
    b.rules.some((r) => r.path === '/result/reasons/0/code') && !a.rules.some((r) => r.path.startsWith('/result/reasons')),
    'the result is masked per record',
  );
});

t.test('through the masker: the same records with and without the native mask', async (t) => {
  const set = await policySet(SHIPPED);
  const native = new Masker({ policyMask: policyMaskFrom(() => set) });
  const rego = new Masker({ policyMask: policyMaskFrom(() => set, { native: false }) });
  let n = 0;
  for (const { file, body } of exampleBodies()) {
    const path = file.startsWith('model-deployment') ? 'ai/deployment/decision' : 'ai/tools/decision';
    const rec = record(path, body);
    const a = json(native.mask(rec));
    t.equal(a, json(rego.mask(rec)), file);
    t.notOk(a.includes('"raw":true'));
    n++;
  }
  t.ok(n > 20, `${n} example records`);
  // Generated records: the masked copies share what was not masked with the request; the
  // records still read the same, and the request is left as it was.
  const next = rng(7);
  const lists = regoLists(set);
  for (let i = 0; i < 300; i++) {
    const g = generated(next, lists);
    const rec = record(typeof g.path === 'string' ? g.path : 'x', g.input);
    if (g.result === undefined) delete rec.result;
    else rec.result = g.result as LogRecord['result'];
    const before = json(rec);
    const a = json(native.mask(rec));
    if (a !== json(rego.mask(rec))) {
      t.fail(`generated record ${i} masks differently`, { native: a, rego: json(rego.mask(rec)) });
      break;
    }
    if (json(rec) !== before) t.fail(`generated record ${i} was modified`);
  }
  // With the operator's own pointers (decision_log.mask_paths) the native rules are applied as
  // rules, after them: still the Rego's records.
  const paths = ['/input/arguments/to', '/input/*/id', '/reasons/*/message'];
  const nativeP = new Masker({ paths, policyMask: policyMaskFrom(() => set) });
  const regoP = new Masker({ paths, policyMask: policyMaskFrom(() => set, { native: false }) });
  for (const { file, body } of exampleBodies()) {
    const rec = record(file.startsWith('model-deployment') ? 'ai/deployment/decision' : 'ai/tools/decision', body);
    t.equal(json(nativeP.mask(rec)), json(regoP.mask(rec)), `${file}, with mask_paths`);
  }
  // A cache hit's records share the masked fields (the hint): the native outcome is reused too.
  const body = exampleBodies()[0]!.body;
  const r1 = record('ai/tools/decision', body);
  const hint = { anchor: r1.result as object, key: 'k' };
  const m1 = native.mask(r1, hint);
  const m2 = native.mask({ ...r1, decision_id: 'd-2' }, hint);
  t.equal(m2.input, m1.input, 'a hit reuses the masked input');
  t.equal(json({ ...m2, decision_id: 'd-1' }), json(m1));
  t.equal(native.maskErrors + rego.maskErrors, 0);
});

function record(path: string, input: unknown): LogRecord {
  return toLogRecord(
    decidedRecord(
      {
        decision_id: 'd-1',
        timestamp: '2026-12-05T00:00:00.000Z',
        path,
        kind: path.startsWith('ai/deployment') ? 'model-deployment' : 'tool-call',
        input,
        result: { allow: false, reasons: [{ code: 'X', control: 'C', message: 'm' }], obligations: [], exceptions_applied: [] },
        outcome: 'decided',
        bundles: {},
        cached: false,
        engine: 'rego',
        duration_ms: 1,
      },
      false,
    ),
    {},
  );
}

t.test('the field lists are the Rego’s: edited in mask.rego or shadowed by data, the native mask follows', async (t) => {
  const edited = shippedMask.replace(
    '"/tool/server": "string",',
    '"/tool/server": "string",\n\t"/arguments/ticket": "number",\n\t"/arguments/~2": "number",\n\t"arguments/bare": "string",\n\t"": "string",',
  );
  t.not(edited, shippedMask, 'the edit applies');
  const set = await policySet(withMask(edited));
  const lists = recognizeDefaultMask(set, MASK_PATH);
  t.equal(lists?.toolCall.get('/arguments/ticket'), 'number', 'recognized, with the edited list');
  const rec = { path: 'ai/tools/decision', input: { arguments: { ticket: 42, note: 'n' } } };
  t.same(defaultMaskRules(lists!, rec), regoRules(set, rec));
  // Entries no walked shape can equal (an invalid escape, no leading "/") keep nothing; "" is the
  // shape of an input that is itself a string.
  for (const odd of [{ arguments: { '~2': 1, bare: 'b' } }, { 'arguments/bare': 'x' }, 'a string', 7]) {
    const r = { path: 'ai/tools/decision', input: odd };
    t.same(defaultMaskRules(lists!, r), regoRules(set, r), JSON.stringify(odd));
  }
  t.same(
    defaultMaskRules(lists!, rec).map((r) => r.path),
    ['/input/arguments/note'],
  );

  // Base data at data.system.log.kept_results shadows the rule in this engine: whatever the Rego
  // reads, the native mask reads.
  const shadowed = await policySet(withMask(shippedMask, { 'system/log/data.json': '{"kept_results": ["ai/tools/decision"]}' }));
  const l2 = recognizeDefaultMask(shadowed, MASK_PATH);
  const rec2 = { path: 'ai/deployment/decision', input: {}, result: { allow: true } };
  t.same(l2 === null ? regoRules(shadowed, rec2) : defaultMaskRules(l2, rec2), regoRules(shadowed, rec2), 'same rules either way');
});

t.test('anything but that program keeps the Rego', async (t) => {
  const cases: [string, Map<string, string>][] = [
    [
      'a changed summary',
      withMask(shippedMask.replace('{"type": "string", "length": count(value)}', '{"type": "string", "length": count(value), "v": value}')),
    ],
    ['one kept rule fewer', withMask(shippedMask.replace(/# Evaluation scores[\s\S]*?\n}\n/, ''))],
    ['another module in package system.log', withMask(shippedMask, { 'system/log/more.rego': 'package system.log\n\nmask contains "/input/x" if true\n' })],
    [
      'a module in package system',
      withMask(shippedMask, {
        '.manifest': SHIPPED.get('.manifest')!.replace('"system/log"', '"system"'),
        'system/other.rego': 'package system\n\nlog.extra := 1\n',
      }),
    ],
    ['data shadowing the mask itself', withMask(shippedMask, { 'system/log/data.json': '{"mask": []}' })],
    [
      `more than ${MAX_LISTED_SHAPES} listed shapes (the probes would grow with them)`,
      withMask(
        shippedMask.replace(
          '"/tool/server": "string",',
          `"/tool/server": "string",\n${Array.from({ length: MAX_LISTED_SHAPES }, (_, i) => `\t"/arguments/f${i}": "string",`).join('\n')}`,
        ),
      ),
    ],
    [
      `more than ${MAX_KEPT_RESULTS} kept results`,
      withMask(shippedMask, {
        'system/log/data.json': JSON.stringify({ kept_results: Array.from({ length: MAX_KEPT_RESULTS + 1 }, (_, i) => `ai/tools/r${i}`) }),
      }),
    ],
  ];
  for (const [name, files] of cases) t.equal(recognizeDefaultMask(await policySet(files), MASK_PATH), null, name);
  // A package below system.log named like one of the program's rules or functions does not even
  // load (recognizeDefaultMask relies on it); one named otherwise keeps the native mask.
  for (const name of ['mask', 'under', 'kept_results']) {
    await t.rejects(
      policySet(withMask(shippedMask, { [`system/log/${name}/more.rego`]: `package system.log.${name}\n\nx := 1\n` })),
      /rego_type_error: rule data\.system\.log\.\w+ conflicts/,
      `a module in package system.log.${name} is refused by the compiler`,
    );
  }
  const sibling = await policySet(withMask(shippedMask, { 'system/log/extra/more.rego': 'package system.log.extra\n\nx := 1\n' }));
  t.ok(recognizeDefaultMask(sibling, MASK_PATH), 'a module in package system.log.extra: still native');
  const atBound = await policySet(
    withMask(shippedMask, { 'system/log/data.json': JSON.stringify({ kept_results: Array.from({ length: MAX_KEPT_RESULTS }, (_, i) => `ai/tools/r${i}`) }) }),
  );
  t.equal(recognizeDefaultMask(atBound, MASK_PATH)?.keptResults.size, MAX_KEPT_RESULTS, `${MAX_KEPT_RESULTS} kept results: still native`);
  const set = await policySet(SHIPPED);
  t.equal(recognizeDefaultMask(set, 'system/log/other_mask'), null, 'another mask path');
  for (const spelling of ['/system/log/mask', 'system.log.mask', 'system/log/mask/'])
    t.ok(recognizeDefaultMask(set, spelling), `the mask path spelled ${spelling}`);
});

t.test('native: false evaluates the Rego for every record; the native path evaluates none', async (t) => {
  const real = await policySet(SHIPPED);
  const { set: counting, count } = countingMask(real);
  let base = 0;
  const evaluationsSince = (): number => count() - base;
  const rec = record('ai/tools/decision', { tool: { name: 'x' }, arguments: { a: 'secret' } });
  new Masker({ policyMask: policyMaskFrom(() => counting, { native: false }) }).mask(rec);
  t.equal(evaluationsSince(), 1, 'Rego: one evaluation');
  base = count();
  const m = new Masker({ policyMask: policyMaskFrom(() => counting) });
  m.mask(rec);
  const probes = evaluationsSince();
  t.equal(probes, probeRecords(recognizeDefaultMask(real, MASK_PATH)!).length, 'recognition: one evaluation per probe record');
  m.mask(rec);
  m.mask(record('ai/tools/decision', { arguments: { b: 1 } }));
  t.equal(evaluationsSince(), probes, 'then none per record');
  t.match(json(m.mask(rec)), /"\/input\/arguments\/a"/, 'and the record is masked');
});

t.test('recognition counts steps, not the wall clock: a starved process still runs the native mask', async (t) => {
  const real = await policySet(SHIPPED);
  // Every clock reading 300 ms later than the last: a process the machine barely schedules (under
  // valgrind, a probe at ~3,000 steps read the clock past a 250 ms budget and the snapshot kept
  // the Rego mask for good).
  const now = Date.now;
  let fake = now();
  Date.now = () => (fake += 300);
  let lists: ReturnType<typeof recognizeDefaultMask>;
  try {
    lists = recognizeDefaultMask(real, MASK_PATH);
  } finally {
    Date.now = now;
  }
  t.ok(lists, 'the default program is recognized');
  t.ok(fake - now() > 250 * (lists ? probeRecords(lists).length : 1), 'the clock did run past a 250 ms budget per probe');
});

t.test('a value that is not JSON data fails closed', async (t) => {
  const set = await policySet(SHIPPED);
  const m = new Masker({ policyMask: policyMaskFrom(() => set) });
  const out = m.mask(record('ai/tools/decision', { arguments: { f: () => 1 } }));
  t.notOk('input' in out, 'no input logged');
  t.match(out.mask_error, /not JSON data/);
});

t.test('the masker says how it masks: native, policy, none, raw', async (t) => {
  const set = await policySet(SHIPPED);
  t.equal(new Masker({ policyMask: policyMaskFrom(() => set) }).mode, 'native');
  t.equal(new Masker({ policyMask: policyMaskFrom(() => set, { native: false }) }).mode, 'policy');
  const edited = await policySet(withMask(shippedMask.replace('{"type": "string", "length": count(value)}', '{"type": "string"}')));
  t.equal(new Masker({ policyMask: policyMaskFrom(() => edited) }).mode, 'policy', 'an edited program is evaluated');
  t.equal(new Masker({ policyMask: policyMaskFrom(() => null) }).mode, 'none', 'no policy yet');
  t.equal(new Masker({}).mode, 'none');
  t.equal(new Masker({ policyMask: policyMaskFrom(() => set), raw: true }).mode, 'raw');
});

t.test('a real server: status says native, and a record read back is masked as the Rego would', async (t) => {
  for (const [env, mode] of [
    [{}, 'native'],
    [{ PDP_DECISION_LOG_NATIVE_MASK: 'false' }, 'policy'],
  ] as const) {
    const s = await startReal({ env: { PDP_BUNDLE_WATCH: 'false', ...env } });
    t.teardown(() => s.close());
    const body = exampleBodies().find((b) => b.file.startsWith('tool-call/'))!.body;
    const answer = await postJson(`${s.url}/v1/decisions/tool-call`, body);
    t.equal(answer.status, 200);
    const id = (answer.json as { decision_id: string }).decision_id;
    const rec = (await send(`${s.url}/v1/decisions/${id}`)).json as { input: unknown; masked: string[]; raw: boolean };
    const set = s.policies.current()!;
    t.same(
      rec.masked,
      (regoRules(set, { path: 'ai/tools/decision', input: body }) as { path: string }[]).map((r) => r.path),
      `${mode}: the Rego's pointers`,
    );
    const status = (await send(`${s.url}/v1/pdp/status`)).json as { decision_log: { mask: string; mask_errors: number } };
    t.equal(status.decision_log.mask, mode);
    t.equal(status.decision_log.mask_errors, 0);
  }
});

t.test('a new snapshot is checked once it is active, before its first record', async (t) => {
  const real = await policySet(SHIPPED);
  const { set: counting, count } = countingMask(real);
  // A provider that announces activations as the BundleManager does.
  const events = new EventEmitter();
  const provider = Object.assign(new SwappablePolicies('ai-governance'), { on: (e: string, l: (x: { name: string }) => void) => events.on(e, l) });
  const app = await injectApp({ policies: provider, env: { PDP_DECISION_LOG_STDOUT: 'false' } });
  t.teardown(() => app.close());
  provider.activate(counting);
  events.emit('activated', { name: 'ai-governance' });
  await new Promise((r) => setImmediate(r));
  t.equal(count(), probeRecords(regoLists(real)).length, 'the probes ran on activation, no record yet');
  const answer = await injectJson(app, '/v1/decisions/tool-call', exampleBodies()[0]!.body);
  t.equal(answer.status, 200);
  await new Promise((r) => setImmediate(r));
  t.equal(count(), probeRecords(regoLists(real)).length, 'and the record was masked natively');
  const status = (await inject(app, '/v1/pdp/status', { method: 'GET' })).json as { decision_log: { mask: string } };
  t.equal(status.decision_log.mask, 'native');
  t.equal(count(), probeRecords(regoLists(real)).length, 'a status read checks nothing again');
});

/** The policy set, counting evaluations of the mask path. */
function countingMask(real: ActivePolicySet): { set: ActivePolicySet; count: () => number } {
  let n = 0;
  const set: ActivePolicySet = {
    ...real,
    engineFor: (p) => real.engineFor(p),
    policies: () => real.policies!(),
    inputKeys: (p) => real.inputKeys!(p),
    evaluate: (p, i, o) => {
      if (p === MASK_PATH) n++;
      return real.evaluate(p, i, o);
    },
  };
  return { set, count: () => n };
}

t.test('hostile records on the native path: too deep fails closed, very wide is masked whole, nothing throws', async (t) => {
  const set = await policySet(SHIPPED);
  const m = new Masker({ policyMask: policyMaskFrom(() => set) });
  t.equal(m.mode, 'native');
  // Deeper than the stack allows (a request body is bounded by server.max_json_depth; a Data API
  // result is bounded only by its size).
  let deep: unknown = 'secret';
  for (let i = 0; i < 200_000; i++) deep = [deep];
  const deepRec = { ...record('ai/tools/arguments', { a: 1 }), result: deep } as LogRecord;
  const out = m.mask(deepRec);
  t.notOk('result' in out || 'input' in out, 'input and result left out');
  t.match(out.mask_error, /policy mask failed/);
  t.equal(m.maskErrors, 1, 'counted');
  // 50,000 argument values: each summarized, none kept.
  const wide: Record<string, string> = {};
  for (let i = 0; i < 50_000; i++) wide[`k${i}`] = `secret-${i}`;
  const w = m.mask(record('ai/tools/decision', { tool: { name: 'x' }, arguments: wide }));
  t.notMatch(json(w), /secret-/, 'no value logged');
  t.equal(w.masked?.length, 50_000);
  t.equal(m.maskErrors, 1, 'no new mask error');
});
