// CompiledPolicy.mayDefine: false only when nothing in the policy can produce the document —
// what lets the service skip evaluating an optional data.system.log.mask a bundle does not have.
import t from 'tap';
import { compile } from '../../src/rego/index.js';

const policy = compile(
  [
    { file: 'a.rego', source: 'package a.b\n\nc := 1\n\nobj[k] := 1 if some k in ["x"]\n' },
    { file: 's.rego', source: 'package system.other\n\nx := 1\n' },
  ],
  { d: { e: { f: 1 } } },
);

t.test('rules at, above and below the path may define it', async (t) => {
  t.equal(policy.mayDefine('a/b/c'), true, 'the rule itself');
  t.equal(policy.mayDefine('a/b/c/deeper'), true, 'below a rule: the rule may produce an object');
  t.equal(policy.mayDefine('a/b/obj/x'), true, 'inside a partial object rule');
  t.equal(policy.mayDefine('a'), true, 'a package above rules');
  t.equal(policy.mayDefine(['a', 'b']), true, 'segments given as an array');
});

t.test('base data may define it', async (t) => {
  t.equal(policy.mayDefine('d/e/f'), true);
  t.equal(policy.mayDefine('d/e'), true);
  t.equal(policy.mayDefine('d/e/g'), false, 'no such key in the data');
  t.equal(policy.mayDefine('d/e/f/g'), false, 'below a number');
});

t.test('nothing there: false', async (t) => {
  t.equal(policy.mayDefine('system/log/mask'), false, 'a sibling package exists, the path does not');
  t.equal(policy.mayDefine('nowhere'), false);
  t.equal(policy.evaluate('system/log/mask').defined, false, 'and evaluation agrees');
});
