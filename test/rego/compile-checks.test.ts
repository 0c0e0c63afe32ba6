// Compile-time checks OPA performs (taken from its compiler source, open-policy-agent/opa
// v1/ast/compile.go: checkRuleConflicts, rewriteDeclaredAssignment, rewriteDeclaredVar,
// validateWith), each with its code, line and message.
import t from 'tap';
import { compile, RegoCompileErrors, RegoError } from '../../src/rego/index.js';

/** rows: the acceptable lines (OPA's own first). */
type Bug = [name: string, source: string, code: string, rows: number[], msg: RegExp, opaReference: string];

const bugs: Bug[] = [
  [
    'two default rules for one document are a type error',
    'default p := 1\ndefault p := 2\n',
    'rego_type_error',
    [1, 2, 3], // OPA reports it at the package clause; either default rule would do
    /multiple default rules data\.t\.p found/,
    'checkRuleConflicts: NewError(TypeErr, ...Package.Loc(), "multiple default rules %s found at %s")',
  ],
  [
    'a variable used before `:=` in the same body is "referenced above"',
    'p if {\n  x = 1\n  x := 2\n}\n',
    'rego_compile_error',
    [4],
    /var x referenced above/,
    'rewriteDeclaredVar: occurrence seenVar → "var %v referenced above" (CompileErr, at the := target)',
  ],
  [
    '`:=` inside a negated expression',
    'p if { not x := 1 }\n',
    'rego_compile_error',
    [2],
    /cannot assign vars inside negated expression/,
    'rewriteDeclaredAssignment: expr.Negated → NewError(CompileErr, ..., "cannot assign vars inside negated expression")',
  ],
  [
    'a complete rule with a rule inside its extent',
    'a.b := 1\na.b.c := 2\n',
    'rego_type_error',
    [2, 3],
    /rule data\.t\.a\.b conflicts with \[data\.t\.a\.b\.c\]/,
    'checkRuleConflicts: ground ref with children → NewError(TypeErr, ..., "rule %v conflicts with %v")',
  ],
  [
    '`with` partially replacing a virtual document',
    'obj := {"a": 1}\np := v if { v := obj with data.t.obj.a as 2 }\n',
    'rego_compile_error',
    [3],
    /with keyword cannot partially replace virtual document/,
    'validateWith: rule found above the target → NewError(CompileErr, ..., "with keyword cannot partially replace virtual document(s)")',
  ],
  [
    '`with` on a target that is not input, data or a function is a type error',
    'q := 1\np if { q with foo as 1 }\n',
    'rego_type_error',
    [3],
    /with keyword target.* must reference existing input, data, or a function/,
    'validateWith default case: NewError(TypeErr, target.Location, "with keyword target must reference existing %v, %v, or a function")',
  ],
];

for (const [name, source, code, rows, msg, ref] of bugs) {
  t.test(name, async (t) => {
    t.comment(`OPA: ${ref}`);
    let thrown: unknown;
    try {
      compile([{ file: 'bug.rego', source: `package t\n${source}` }]);
    } catch (e) {
      thrown = e;
    }
    t.ok(thrown instanceof RegoCompileErrors, 'compile refuses the module');
    const err = thrown instanceof RegoCompileErrors ? thrown.errors[0] : undefined;
    t.ok(err instanceof RegoError, 'with a RegoError');
    t.equal(err?.code, code, 'OPA error code');
    t.ok(rows.includes(err?.location?.row ?? -1), `line (got ${err?.location?.row}, want one of ${rows.join(', ')})`);
    t.match(err?.message ?? '', msg, 'message');
  });
}
