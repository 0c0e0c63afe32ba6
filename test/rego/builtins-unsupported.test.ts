// Builtins that call outside the process (http.send, net.lookup_ip_addr): refused at load with a
// message naming the builtin and why (issue 14: they were reported as "undefined function", the
// text of a typo), yet replaceable with `with` in tests as in OPA (OPA's own example from
// withkeyword/test-with-builtin-mock.yaml is the first case).
import t from 'tap';
import { compile, RegoCompileErrors, RegoError, toJSON } from '../../src/rego/index.js';
import { CALLS_OUTSIDE, NOT_YET, UNSUPPORTED_BUILTINS, mockedUnsupported } from '../../src/rego/builtins/unsupported.js';
import { BUILTINS } from '../../src/rego/builtins/index.js';

function compileErr(src: string): RegoError {
  try {
    compile([{ file: 'x.rego', source: src }]);
  } catch (e) {
    if (e instanceof RegoCompileErrors) return e.errors[0];
    throw e;
  }
  throw new Error('compiled');
}

t.test('a call to http.send is refused at load with the reason, not "undefined function"', async (t) => {
  const e = compileErr('package p\nr := http.send({"method": "GET", "url": "https://example.com"})\n');
  t.equal(e.code, 'rego_unsupported_error');
  t.equal(e.detail, 'builtin http.send is not supported by this engine (calls outside the process)');
  t.same(e.location, { file: 'x.rego', row: 2, col: 6 }, 'names file, line and column');
  const n = compileErr('package p\nr if net.lookup_ip_addr("example.com")\n');
  t.equal(n.detail, 'builtin net.lookup_ip_addr is not supported by this engine (calls outside the process)');
});

t.test("internal.test_case is true for an array, as OPA's builtinTestCase (v1/topdown/test.go)", async (t) => {
  const { compile } = await import('../../src/rego/index.js');
  const p = compile([{ file: 'x.rego', source: 'package p\nr if internal.test_case(["a", 1])\ns := internal.test_case([])\n' }]);
  t.equal(p.evaluate('p.r').value, true);
  t.equal(p.evaluate('p.s').value, true);
  // Its declared argument is an array: anything else is a type error at load, as in OPA.
  const e = compileErr('package p\nr if internal.test_case("a")\n');
  t.equal(e.code, 'rego_type_error');
  t.match(e.detail, /internal\.test_case/);
});

t.test('an unknown name stays "undefined function"', async (t) => {
  const e = compileErr('package p\nr := htp.send({})\n');
  t.equal(e.code, 'rego_type_error');
  t.equal(e.detail, 'undefined function htp.send');
});

t.test('with http.send as mock: the mock stands in, as in OPA', async (t) => {
  const p = compile([
    {
      file: 'x.rego',
      source: `package test
pass_resp := {"body": {"roles": ["admin"]}}
deny_resp := {"body": {"roles": []}}
mock_http_send(req) := pass_resp if {
	req.body.name == "alice"
} else := deny_resp
test_allow if {
	allow with http.send as mock_http_send with input.name as "alice"
}
test_deny if {
	not allow with http.send as mock_http_send with input.name as "bob"
}
by_value if allow with http.send as {"body": {"roles": ["admin"]}} with input as {}
allow if {
	"admin" in http.send({"method": "GET", "body": input}).body.roles
}
`,
    },
  ]);
  t.same(toJSON(p.evaluate('test.test_allow').value!), true);
  t.same(toJSON(p.evaluate('test.test_deny').value!), true);
  t.same(toJSON(p.evaluate('test.by_value').value!), true, 'a value as the mock');
  // Not mocked: the stub fails the evaluation with the same message (fail closed, never a result).
  t.throws(() => p.evaluate('test.allow', { strict: true, input: {} }), /builtin http\.send is not supported by this engine \(calls outside the process\)/);
  t.equal(p.evaluate('test.allow', { input: {} }).defined, false, 'without strict errors the unmocked call is undefined');
});

t.test('a mock with the wrong arity is a type error', async (t) => {
  const e = compileErr(`package p
m(a, b) := 1
r if x with http.send as m
x := http.send({})
`);
  t.match(e.detail, /arity mismatch/);
});

t.test('mockedUnsupported finds with targets in nested bodies only for unsupported names', async (t) => {
  const { parseModule } = await import('../../src/rego/index.js');
  const m = parseModule('x.rego', 'package p\nr if { [1 | y with http.send as 1]; z with time.now_ns as 1 }\ny := 1\nz := 1\n');
  t.same([...mockedUnsupported([m])], ['http.send']);
});

t.test('the table: arity and reason, and nothing both supported and unsupported', async (t) => {
  const outside = [...UNSUPPORTED_BUILTINS].filter(([, u]) => u.reason === CALLS_OUTSIDE).map(([n]) => n);
  t.same(outside.sort(), ['http.send', 'net.lookup_ip_addr']);
  t.same(
    [...UNSUPPORTED_BUILTINS].filter(([, u]) => u.reason === NOT_YET),
    [],
    "every other builtin on OPA's list is implemented",
  );
  for (const n of UNSUPPORTED_BUILTINS.keys()) t.notOk(BUILTINS.has(n), n);
});
