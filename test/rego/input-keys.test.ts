// CompiledPolicy.inputKeys: the top-level input keys a document can read, through the rules and
// functions it reaches — or null when it may read any (what lets the decision log reuse a mask).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { compile, toJSON, Tracer } from '../../src/rego/index.js';
import type { ReadPaths } from '../../src/rego/value.js';

const keysOf = (source: string, path = 'p/r'): string[] | null => {
  const k = compile([{ file: 'p.rego', source }], {}).inputKeys(path);
  return k === null ? null : [...k].sort();
};

t.test('direct and transitive references', async (t) => {
  t.same(keysOf('package p\n\nr if input.a.b == 1\n'), ['a']);
  t.same(keysOf('package p\n\nr if { q; input.c }\n\nq if input.d\n'), ['c', 'd'], 'through another rule');
  t.same(keysOf('package p\n\nr := f(1)\n\nf(x) := y if y := input.e[x]\n'), ['e'], 'through a function');
  t.same(keysOf('package p\n\nr := [x | some x in input.items]\n'), ['items'], 'in a comprehension');
  t.same(keysOf('package p\n\nr := data.p.s[_]\n\ns contains input.g\n'), ['g'], 'a data reference with a variable part');
  t.same(keysOf('package p\n\nr := 1\n\nother := input.zz\n'), [], 'a sibling rule that is not reached');
});

t.test('anything that may read any key: null', async (t) => {
  t.equal(keysOf('package p\n\nr := input\n'), null, 'the whole input');
  t.equal(keysOf('package p\n\nr := input[k] if k := "a"\n'), null, 'a non-constant key');
  t.equal(keysOf('package p\n\nr := f(input)\n\nf(x) := x\n'), null, 'input passed to a function');
  t.equal(keysOf('package p\n\nr if q with input as {"a": 1}\n\nq if input.a\n'), null, 'with input');
  const dyn = compile(
    [
      { file: 'p.rego', source: 'package p\n\nr := data.p.sub[x] if x := "q"\n' },
      { file: 's.rego', source: 'package p.sub\n\nq := input\n\nw := input.w\n' },
    ],
    {},
  );
  t.equal(dyn.inputKeys('p/r'), null, 'a dynamic data reference reaching a rule that reads all');
  const some = compile(
    [
      { file: 'p.rego', source: 'package p\n\nr := data.p.sub[x] if x := "q"\n' },
      { file: 's.rego', source: 'package p.sub\n\nv := input.v\n\nw := input.w\n' },
    ],
    {},
  ).inputKeys('p/r');
  t.same(some === null ? null : [...some].sort(), ['v', 'w'], 'a dynamic data reference: every rule below its constant prefix');
});

t.test("the repo's decision-log mask reads only input, result and path", async (t) => {
  const source = readFileSync(new URL('../../policies/system/log/mask.rego', import.meta.url), 'utf8');
  const k = compile([{ file: 'mask.rego', source }], {}).inputKeys('system/log/mask');
  t.same(k === null ? null : [...k].sort(), ['input', 'path', 'result']);
});

// The parts of the input a document reads (CompiledPolicy.inputReads): what the generated code converts of an
// input (fromJSON's `reads`) — a part it leaves out must be one no rule can read.
const readsOf = (source: string, path = 'p/r'): unknown => {
  const r = compile([{ file: 'p.rego', source }], {}).inputReads(path);
  const plain = (m: ReadPaths): unknown => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v === true ? true : plain(v)]));
  return r === null ? null : plain(r);
};

t.test('read paths: the longest constant prefix of each reference, read whole', async (t) => {
  t.same(readsOf('package p\n\nr if input.a.b.c == 1\n'), { a: { b: { c: true } } });
  t.same(readsOf('package p\n\nr if { input.a.b; input.a.d[_] }\n'), { a: { b: true, d: true } }, 'a variable part: the prefix before it, whole');
  t.same(readsOf('package p\n\nr if { input.a.b.c; input.a }\n'), { a: true }, 'a shorter reference reads the whole of it');
  t.same(readsOf('package p\n\nr if { input.a; input.a.b.c }\n'), { a: true }, 'in either order');
  t.same(readsOf('package p\n\nr if { x := "k"; input.a[x].z }\n'), { a: true }, 'a key held in a variable');
  t.same(readsOf('package p\n\nr if input.a[0].b\n'), { a: true }, 'a number key: the prefix before it');
  t.same(readsOf('package p\n\nr if count(input.a.list) > 0\n'), { a: { list: true } }, 'an argument of a call');
  t.same(readsOf('package p\n\nr if { some k, v in input.a.m; v == k }\n'), { a: { m: true } }, 'iterated');
  t.same(readsOf('package p\n\nr if every x in input.a.xs { x > 0 }\n'), { a: { xs: true } }, 'every');
  t.same(readsOf('package p\n\nr if f(input.a.b)\n\nf(x) if x.c\n'), { a: { b: true } }, 'handed to a function');
  t.same(readsOf('package p\n\nr if { {"q": y} = input.a.b; y }\n'), { a: { b: true } }, 'unified with a pattern');
  t.same(readsOf('package p\n\nr if walk(input.a, [_, _])\n'), { a: true });
  t.equal(readsOf('package p\n\nr if walk(input, [_, _])\n'), null, 'the whole input walked');
  t.equal(readsOf('package p\n\nr if json.marshal(input) != ""\n'), null);
  t.equal(readsOf('package p\n\nr if { q with input.a.b as 1 }\n\nq if input.c\n'), null, 'with input…');
  t.same(readsOf('package p\n\nimport input.a.b as ab\n\nr if ab.c == 1\n'), { a: { b: { c: true } } }, 'an import of input');
});

t.test('generated code converts only the parts read, and decides as if it had the whole input', async (t) => {
  const source = [
    'package p',
    '',
    'default r := false',
    '',
    'r if {',
    '  input.tool.name == "t"',
    '  not input.flags.blocked',
    '  input.agent.id in {"a1"}',
    '  count(input.args) == 2',
    '}',
    '',
    'seen := {"tool": input.tool, "args": input.args}',
    '',
  ].join('\n');
  const policy = compile([{ file: 'p.rego', source }], {});
  t.same(policy.compileJs(['p/r', 'p/seen']), ['p/r', 'p/seen']);
  const interpreted = compile([{ file: 'p.rego', source }], {});
  const inputs = [
    { tool: { name: 't', extra: [1, 2] }, agent: { id: 'a1', role: 'x' }, args: { a: 1, b: { c: 2 } }, flags: { blocked: false }, big: { x: 'y'.repeat(100) } },
    { tool: { name: 't' }, agent: { id: 'a1' }, args: { a: 1, b: 2 }, flags: { blocked: true } },
    { tool: { name: 't' }, agent: { id: 'a1' }, args: { a: 1 } },
    { tool: 'not an object', agent: ['a1'], args: [1, 2], flags: 'x' },
    { tool: { name: 't' }, agent: { id: 'a1' }, args: { a: 1, b: 2 }, flags: { other: true } },
    [1, 2],
    'text',
  ];
  for (const input of inputs) {
    for (const doc of ['p/r', 'p/seen']) {
      const a = policy.evaluate(doc, { input });
      const b = interpreted.evaluate(doc, { input, strict: false, tracer: new Tracer() });
      t.same(
        a.defined ? toJSON(a.value as never) : undefined,
        b.defined ? toJSON(b.value as never) : undefined,
        `${doc} on ${JSON.stringify(input).slice(0, 60)}`,
      );
    }
  }
  t.same(toJSON(policy.evaluate('p/r', { input: inputs[0] }).value as never), true, 'the first input is allowed');
  t.same(toJSON(policy.evaluate('p/r', { input: inputs[1] }).value as never), false, 'a flag read through a part is seen');
});

t.test('a part named like an Object.prototype member is read only when the input has it as its own', async (t) => {
  const source = 'package p\n\nc := input.constructor\n\np := input.a.__proto__\n\ns := input.a.toString\n\nh if input.a.hasOwnProperty\n';
  const policy = compile([{ file: 'p.rego', source }], {});
  const docs = ['p/c', 'p/p', 'p/s', 'p/h'];
  t.same(policy.compileJs(docs), docs);
  const interpreted = compile([{ file: 'p.rego', source }], {});
  for (const input of [{ a: {} }, JSON.parse('{"constructor":"own","a":{"toString":1,"hasOwnProperty":true}}') as unknown, { a: [] }]) {
    for (const doc of docs) {
      const a = policy.evaluate(doc, { input });
      const b = interpreted.evaluate(doc, { input, tracer: new Tracer() });
      t.same(a.defined ? toJSON(a.value as never) : undefined, b.defined ? toJSON(b.value as never) : undefined, `${doc} on ${JSON.stringify(input)}`);
    }
  }
  t.equal(policy.evaluate('p/c', { input: { a: {} } }).defined, false, 'an inherited constructor is not a part of the input');
  t.same(toJSON(policy.evaluate('p/c', { input: JSON.parse('{"constructor":"own"}') as unknown }).value as never), 'own');
});
