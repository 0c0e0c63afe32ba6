// The built-in Rego engine behind the Engine interface: compile once, evaluate by path, and every
// failure comes back as a typed outcome (or, at compile time, a BUNDLE_COMPILE_ERROR naming the file).
import t from 'tap';
import { BundleError } from '../../src/bundles/errors.js';
import { RegoEngine } from '../../src/engines/rego.js';

const POLICY = `package ai.tools

default allow := false

allow if input.role == "admin"

payment_max := data.ai.tools.limits.payment_max

count_positive := count([y | some y in data.ai.tools.items; y > 0])

stamp := time.now_ns()

conflict := 1 if true
conflict := 2 if true

divide := 1 / input.d
`;
const DATA = { ai: { tools: { limits: { payment_max: 500 }, items: Array.from({ length: 2000 }, (_, i) => i) } } };

t.test('evaluates by slash or dot path, with data and input', async (t) => {
  const e = RegoEngine.compile([{ file: 'b/ai/tools.rego', source: POLICY }], DATA);
  t.equal(e.kind, 'rego');
  t.same(e.evaluate('ai/tools/allow', { role: 'admin' }), {
    ok: true,
    defined: true,
    result: true,
    dependsOn: { time: false, random: false, external: false },
    engine: 'rego',
  });
  t.match(e.evaluate('ai.tools.allow', { role: 'guest' }), { ok: true, defined: true, result: false });
  t.match(e.evaluate('ai/tools/payment_max', {}), { ok: true, result: 500 });
  t.match(e.evaluate('ai/tools/nothing', {}), { ok: true, defined: false });
  t.match(e.evaluate('ai/tools/stamp', {}), { ok: true, defined: true, dependsOn: { time: true } }, 'time dependency reported');
});

t.test('runtime errors and budgets become outcomes, never throws', async (t) => {
  const e = RegoEngine.compile([{ file: 'b/ai/tools.rego', source: POLICY }], DATA);
  t.match(e.evaluate('ai/tools/conflict', {}), { ok: false, code: 'eval_conflict_error', message: /b\/ai\/tools\.rego/ });
  t.match(e.evaluate('ai/tools/count_positive', {}, { maxSteps: 50 }), { ok: false, code: 'eval_budget_exceeded' });
  t.match(e.evaluate('ai/tools/count_positive', {}), { ok: true, result: 1999 });
  t.match(e.evaluate('ai/tools/items', {}, { maxOutputSize: 10 }), { ok: false, code: 'eval_output_too_large' });
  t.match(e.evaluate('ai/tools/divide', { d: 0 }), { ok: true, defined: false }, 'builtin error is undefined by default');
  t.match(e.evaluate('ai/tools/divide', { d: 0 }, { strict: true }), { ok: false, code: 'eval_builtin_error' });
});

t.test('compile errors are BUNDLE_COMPILE_ERROR with file, line and Rego code', async (t) => {
  const compileErr = (source: string) => {
    try {
      RegoEngine.compile([{ file: 'bundle/x.rego', source }], {});
      return null;
    } catch (e) {
      t.ok(e instanceof BundleError);
      return e as BundleError;
    }
  };
  t.match(compileErr('package x\n\nallow if { input.x == }\n'), { code: 'BUNDLE_COMPILE_ERROR', message: /bundle\/x\.rego:3:\d+: rego_parse_error/ });
  t.match(compileErr('package x\n\nallow if { y := no.such_builtin(1) }\n'), {
    code: 'BUNDLE_COMPILE_ERROR',
    message: /bundle\/x\.rego:3:\d+: rego_type_error/,
  });
  const many = Array.from({ length: 8 }, (_, i) => `r${i} if { z${i} }`).join('\n');
  t.match(compileErr(`package x\n\n${many}\n`), { message: /… and \d+ more/ }, 'long error lists are cut short');
});
