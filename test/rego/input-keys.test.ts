// CompiledPolicy.inputKeys: the top-level input keys a document can read, through the rules and
// functions it reaches — or null when it may read any (what lets the decision log reuse a mask).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { compile } from '../../src/rego/index.js';

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
