// Unit tests of the conformance runner (loading, dialects, comparison, reporting, known
// failures). They use a TEST FIXTURE: a tiny fake engine that answers the handful of queries
// in test/conformance/fixtures. It is not Rego; the real engine is exercised by
// conformance.test.ts.
import type { Body, Expr, Term } from '../../src/rego/ast.js';
import { RegoCompileErrors, RegoError } from '../../src/rego/errors.js';
import { fromJSON, ObjectV, SetV, type Value } from '../../src/rego/value.js';
import type { EngineLike, PolicyLike, QueryOptions } from '../../src/conformance/engine.js';
import t from 'tap';
import path from 'node:path';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { runSuite } from '../../src/conformance/suite.js';
import { buildReport, renderText } from '../../src/conformance/report.js';
import { mergeKnown, readKnown, writeKnown } from '../../src/conformance/known.js';

type Lookup = (opts: QueryOptions) => Value | undefined;

const TERMS: Record<string, Lookup> = {
  'data.t.p': () => 1,
  'data.t.q': () => 1,
  'data.t.s': () => new SetV([3, 1, 2]),
  'data.t.u': () => undefined,
  'data.t.big': () => 12345678901234567890n,
  'data.t.conflict': () => {
    throw new RegoError('eval_conflict_error', 'complete rules must not produce multiple outputs');
  },
  'data.t.typeerr': () => {
    throw new RegoError('eval_type_error', 'boom');
  },
  'data.t.crash': () => {
    throw new TypeError('cannot read properties of undefined');
  },
  'data.test': () => new ObjectV([['x', 1]]),
  'data.test.s': () => new SetV([3, 1, 2]),
  'data.test.typeerr': () => {
    throw new RegoError('eval_type_error', 'boom');
  },
  'input.v': (o) => (o.input as { v?: number } | undefined)?.v,
  input: (o) => o.inputValue ?? (o.input === undefined ? undefined : fromJSON(o.input)),
  '1 == 2': () => false,
};

function term(text: string, opts: QueryOptions): Value | undefined {
  const f = TERMS[text.trim()];
  if (f) return f(opts);
  if (/^\d+$/.test(text.trim())) return Number(text);
  throw new RegoCompileErrors([new RegoError('rego_compile_error', `fake engine: unknown term ${text}`)]);
}

const row = (name: string, v: Value | undefined): Record<string, Value>[] => (v === undefined ? [] : [{ [name]: v }]);

class FakePolicy implements PolicyLike {
  query(q: string, opts: QueryOptions = {}): { rows: Record<string, Value>[] } {
    let m: RegExpExecArray | null;
    if ((m = /^pdp_input_term__ := (.*)$/s.exec(q))) return { rows: row('pdp_input_term__', fromJSON(JSON.parse(m[1]))) };
    if ((m = /^(pdp_cap_\d+__) = \((.*)\)$/s.exec(q))) return { rows: row(m[1], term(m[2], opts)) };
    if ((m = /^(\w+) := (.*)$/s.exec(q))) return { rows: row(m[1], term(m[2], opts)) };
    if ((m = /^(.*) = ([a-z]\w*)$/s.exec(q))) return { rows: row(m[2], term(m[1], opts)) };
    if (q === '1 = 2') return { rows: [] };
    throw new RegoCompileErrors([new RegoError('rego_parse_error', `fake engine cannot parse ${q}`)]);
  }
}

function expr(text: string, col: number): Expr {
  const loc = { file: '<query>', row: 1, col };
  const call = (name: string, args: Term[]): Expr => ({ kind: 'term', term: { type: 'call', name, args, loc }, negated: false, with: [], loc });
  const v: Term = { type: 'var', name: 'v', loc };
  if (text.includes(':=')) return call('assign', [v, v]);
  if (text.includes('==')) return call('equal', [v, v]);
  if (text.includes('=')) return call('eq', [v, v]);
  return { kind: 'term', term: { type: 'ref', head: v, path: [], loc }, negated: false, with: [], loc };
}

const fakeEngine: EngineLike = {
  compile(modules) {
    for (const m of modules) {
      if (m.source.includes('syntax error')) {
        throw new RegoCompileErrors([new RegoError('rego_parse_error', 'unexpected ident', { file: m.file, row: 2, col: 1 })]);
      }
    }
    return new FakePolicy();
  },
  parseQuery(q: string): Body {
    const out: Body = [];
    let offset = 0;
    for (const part of q.split(';')) {
      const lead = part.length - part.trimStart().length;
      if (part.trim() !== '') out.push(expr(part.trim(), offset + lead + 1));
      offset += part.length + 1;
    }
    return out;
  },
};

const fixtures = path.join(import.meta.dirname, 'fixtures');

t.test('OPA dialect: rows, errors, crashes, compile errors, input_term, big ints', async (t) => {
  const res = await runSuite(fakeEngine, [path.join(fixtures, 'opa-mini')]);
  t.equal(res.dialects['opa-mini'], 'opa');
  const by = new Map(res.outcomes.map((o) => [o.key, o]));
  const st = (note: string, file = 'basics/test-basics.yaml'): string | undefined => by.get(`opa-mini/${file}#${note}`)?.status;
  const reason = (note: string): string => by.get(`opa-mini/basics/test-basics.yaml#${note}`)?.reason ?? '';
  t.equal(st('basics/pass rows'), 'passed');
  t.equal(st('basics/pass rows (2)'), 'passed', 'repeated note gets a suffix');
  t.equal(st('basics/pass set as sorted list'), 'passed', 'set binding compared as sorted JSON array');
  t.equal(st('basics/fail wrong value'), 'failed');
  t.equal(reason('basics/fail wrong value'), 'expected [{x: 2}], got [{x: 1}]');
  t.equal(st('basics/undefined'), 'passed');
  t.equal(st('basics/conflict expected'), 'passed');
  t.equal(st('basics/code in message'), 'passed', 'code named in want_error is matched');
  t.equal(st('basics/wrong code'), 'failed');
  t.match(reason('basics/wrong code'), /^expected error eval_conflict_error, got eval_type_error: boom/);
  t.equal(st('basics/crash'), 'errored');
  t.match(reason('basics/crash'), /^engine crashed: TypeError/);
  t.equal(st('basics/compile error'), 'failed');
  t.match(reason('basics/compile error'), /^unexpected error test-0\.rego:2:1: rego_parse_error: unexpected ident/);
  t.equal(st('basics/input term'), 'passed');
  t.equal(st('basics/big integer'), 'passed', 'YAML integers past 2^53 stay exact');
  t.equal(st('basics/malformed'), 'errored');
  t.equal(st('<load>', 'broken.yaml'), 'errored', 'unparsable file is reported, not thrown');
});

t.test('regorus dialect: values, sets, no_result, error, skip, many inputs, bindings', async (t) => {
  const res = await runSuite(fakeEngine, [path.join(fixtures, 'regorus-mini')]);
  t.equal(res.dialects['regorus-mini'], 'regorus');
  const st = Object.fromEntries(res.outcomes.map((o) => [o.note, o.status]));
  t.same(st, {
    'value of a ref': 'passed',
    'set value': 'passed',
    'set is not an array': 'failed',
    'single comparison gives false': 'passed',
    'no result': 'passed',
    'any error passes': 'passed',
    'skipped one': 'skipped',
    'many inputs': 'passed',
    bindings: 'passed',
  });
});

t.test('report, known failures and --only', async (t) => {
  const res = await runSuite(fakeEngine, [path.join(fixtures, 'opa-mini'), path.join(fixtures, 'regorus-mini')]);
  const failing = res.outcomes.filter((o) => o.status === 'failed' || o.status === 'errored');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pdp-known-'));
  const file = path.join(dir, 'known.json');
  const firstKey = failing[0].key;
  await writeFile(file, JSON.stringify({ [firstKey]: { reason: 'old', why: 'human explanation' }, 'other/x.yaml#gone': { reason: 'kept' } }));
  const known = await readKnown(file);
  const report = buildReport(res.outcomes, known, res.durationMs);
  t.equal(report.totals.total, res.outcomes.length);
  t.equal(report.failures.filter((f) => f.known).length, 1);
  const text = renderText(report);
  t.match(text, /opa-mini: \d+\/\d+ passed/);
  t.match(text, /\[known\] .*\n.*\n    known: human explanation/);
  t.match(text, /\[NEW\]/);

  const merged = mergeKnown(known, report.failures, new Set(res.outcomes.map((o) => o.key)));
  t.equal(merged[firstKey].why, 'human explanation', 'human reason kept');
  t.equal(merged[firstKey].reason, failing[0].reason, 'recorded reason refreshed');
  t.ok(merged['other/x.yaml#gone'], 'entries for cases not run are kept');
  t.equal(Object.keys(merged).length, failing.length + 1);
  await writeKnown(file, merged);
  t.same(await readKnown(file), merged);
  t.match(await readFile(file, 'utf8'), /^\{\n  "/);

  const only = await runSuite(fakeEngine, [path.join(fixtures, 'opa-mini')], { only: ['basics'] });
  t.ok(only.outcomes.every((o) => o.group === 'basics'));
});

t.test('floor is only ever raised', async (t) => {
  const { raiseFloor, belowFloor } = await import('../../src/conformance/floor.js');
  t.same(raiseFloor({ a: 10, b: 5 }, [['a', 8], ['b', 7], ['c', 1]]), { a: 10, b: 7, c: 1 });
  t.same(belowFloor({ a: 10, b: 5 }, { a: 9, b: 5 }), [{ folder: 'a', floor: 10, passed: 9 }]);
  t.same(belowFloor({ gone: 3 }, {}), [], 'a folder not run is not judged');
});

t.test('floor keys: each suite and each <suite>/<subfolder>, so one subfolder dropping fails', async (t) => {
  const { passedCounts, belowFloor } = await import('../../src/conformance/floor.js');
  const c = (passed: number) => ({ total: 5, passed, failed: 5 - passed, errored: 0, skipped: 0 });
  const counts = passedCounts([{ folder: 'opa-v1', counts: c(5), groups: { a: c(3), b: c(2) } }]);
  t.same(counts, [
    ['opa-v1', 5],
    ['opa-v1/a', 3],
    ['opa-v1/b', 2],
  ]);
  // the suite total holds, but subfolder a lost a case that b gained
  const moved = Object.fromEntries(passedCounts([{ folder: 'opa-v1', counts: c(5), groups: { a: c(2), b: c(3) } }]));
  t.same(belowFloor(Object.fromEntries(counts), moved), [{ folder: 'opa-v1/a', floor: 3, passed: 2 }]);
});

t.test('YAML fallback: under-indented flow collection after a key', async (t) => {
  const { reindentFlowCollections } = await import('../../src/conformance/yaml-repair.js');
  const { parse } = await import('yaml');
  const text = 'cases:\n  - want_result:\n      x1:\n        set!: [\n        "a",\n        "b",\n        ]\n      x2: true\n';
  t.throws(() => parse(text));
  const fixed = reindentFlowCollections(text);
  t.ok(fixed);
  t.same(parse(fixed ?? ''), { cases: [{ want_result: { x1: { 'set!': ['a', 'b'] }, x2: true } }] });
  t.equal(reindentFlowCollections('a: 1\n'), undefined, 'nothing to repair');
});

t.test("regorus time_source and execution_timer: a simulated clock decides the time limit, as in regorus's runner", async (t) => {
  const { regoEngine } = await import('../../src/conformance/rego-engine.js');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pdp-timer-'));
  const sub = path.join(dir, 'regorus-timer', 'limits');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(sub, { recursive: true });
  const mod = '        package t\n        import rego.v1\n        n := count({v | v := data.values[_]})\n';
  const kase = (note: string, extra: string, want: string): string =>
    `  - note: ${note}\n    data:\n      values: [1, 2, 3, 4, 5]\n    modules:\n      - |\n${mod}    query: data.t.n\n${extra}${want}`;
  const yaml = [
    'cases:',
    kase('over', '    execution_timer:\n      limit_ms: 1\n      check_interval: 1\n    time_source:\n      default_increment_ms: 5\n', '    error: execution exceeded time limit\n'),
    kase('global', '    global_execution_timer:\n      limit_ms: 1\n      check_interval: 1\n    time_source:\n      default_increment_ms: 5\n', '    error: execution exceeded time limit\n'),
    kase(
      'engine overrides global',
      '    global_execution_timer:\n      limit_ms: 1\n      check_interval: 1\n    execution_timer:\n      limit_ms: 500\n      check_interval: 1\n    time_source:\n      default_increment_ms: 5\n',
      '    want_result: 5\n',
    ),
    kase('disabled', '    global_execution_timer:\n      disable: true\n    time_source:\n      default_increment_ms: 5\n', '    want_result: 5\n'),
    kase('increments list then default', '    execution_timer:\n      limit_ms: 10\n      check_interval: 1\n    time_source:\n      increments_ms: [0, 0]\n      default_increment_ms: 20\n', '    error: execution exceeded time limit\n'),
    kase('hostile timer fields are ignored', '    execution_timer:\n      limit_ms: soon\n    time_source: 7\n', '    want_result: 5\n'),
  ].join('\n');
  await writeFile(path.join(sub, 'execution_timer.yaml'), yaml);
  const res = await runSuite(regoEngine, [path.join(dir, 'regorus-timer')]);
  const st = Object.fromEntries(res.outcomes.map((o) => [o.note, o.status]));
  t.same(st, {
    over: 'passed',
    global: 'passed',
    'engine overrides global': 'passed',
    disabled: 'passed',
    'increments list then default': 'passed',
    'hostile timer fields are ignored': 'passed',
  });
});
