import t from 'tap';
import { BUILTINS, RELATIONS, UNSUPPORTED_BUILTINS, walkNodes } from '../../src/rego/builtins/index.js';
import type { BuiltinContext } from '../../src/rego/builtins/types.js';
import { RegoError } from '../../src/rego/errors.js';
import { ObjectV, SetV, stringify, type Value } from '../../src/rego/value.js';

const ctx: BuiltinContext = {
  strict: true,
  nowNs: () => 0n,
  markRandom: () => undefined,
  markExternal: () => undefined,
  print: () => undefined,
  checkBudget: () => undefined,
};

const TYPES = new Set(['any', 'number', 'string', 'array', 'object', 'set', 'boolean', 'null']);

t.test('every builtin is well formed', async (t) => {
  for (const [name, b] of BUILTINS) {
    t.equal(b.name, name);
    t.ok(Array.isArray(b.args), `${name} declares arg types`);
    if (b.arity >= 0) t.equal(b.arity, (b.args as string[]).length, `${name} arity matches its arg types`);
    for (const a of b.args as string[]) for (const part of a.split('|')) t.ok(TYPES.has(part), `${name}: arg type ${a}`);
  }
});

t.test('the builtins the conformance suites and policies call exist; deprecated and external ones do not', async (t) => {
  const needed = [
    'count',
    'sum',
    'product',
    'max',
    'min',
    'sort',
    'all',
    'any',
    'plus',
    'minus',
    'mul',
    'div',
    'rem',
    'abs',
    'round',
    'ceil',
    'floor',
    'numbers.range',
    'numbers.range_step',
    'equal',
    'neq',
    'lt',
    'lte',
    'gt',
    'gte',
    'and',
    'or',
    'intersection',
    'union',
    'concat',
    'contains',
    'startswith',
    'endswith',
    'format_int',
    'indexof',
    'indexof_n',
    'lower',
    'upper',
    'replace',
    'split',
    'sprintf',
    'strings.any_prefix_match',
    'strings.any_suffix_match',
    'strings.reverse',
    'strings.replace_n',
    'strings.count',
    'substring',
    'trim',
    'trim_left',
    'trim_prefix',
    'trim_right',
    'trim_suffix',
    'trim_space',
    'regex.match',
    'regex.is_valid',
    'regex.split',
    'regex.find_n',
    'regex.find_all_string_submatch_n',
    'regex.replace',
    'regex.template_match',
    'glob.match',
    'glob.quote_meta',
    'is_number',
    'is_string',
    'is_boolean',
    'is_array',
    'is_set',
    'is_object',
    'is_null',
    'type_name',
    'object.get',
    'object.keys',
    'object.remove',
    'object.union',
    'object.union_n',
    'object.filter',
    'object.subset',
    'json.filter',
    'json.remove',
    'json.patch',
    'array.concat',
    'array.slice',
    'array.reverse',
    'json.marshal',
    'json.unmarshal',
    'json.is_valid',
    'base64.encode',
    'base64.decode',
    'base64url.encode',
    'base64url.decode',
    'urlquery.encode',
    'urlquery.decode',
    'hex.encode',
    'hex.decode',
    'yaml.marshal',
    'yaml.unmarshal',
    'time.now_ns',
    'time.parse_rfc3339_ns',
    'time.parse_ns',
    'time.parse_duration_ns',
    'time.date',
    'time.clock',
    'time.weekday',
    'time.add_date',
    'time.diff',
    'time.format',
    'semver.is_valid',
    'semver.compare',
    'units.parse',
    'units.parse_bytes',
    'uuid.rfc4122',
    'uuid.parse',
    'bits.and',
    'bits.or',
    'bits.xor',
    'bits.negate',
    'bits.lsh',
    'bits.rsh',
    'net.cidr_contains',
    'net.cidr_intersects',
    'net.cidr_is_valid',
    'net.cidr_expand',
    'crypto.sha256',
    'crypto.md5',
    'crypto.sha1',
    'crypto.hmac.sha256',
    'to_number',
    'print',
    'opa.runtime',
    'rand.intn',
    'trace',
  ];
  for (const n of needed) t.ok(BUILTINS.has(n), n);
  for (const n of ['cast_array', 'cast_set', 're_match', 'set_diff', 'net.cidr_overlap'])
    t.equal(BUILTINS.get(n)?.deprecated, true, `${n} is deprecated (v0 only)`);
  t.notOk(BUILTINS.has('http.send'), 'http.send is absent');
  t.ok(RELATIONS.has('walk') && !BUILTINS.has('walk'), 'walk is listed as a relation, not a builtin');
  t.notOk(BUILTINS.has('crypto.sha512'), 'no builtins OPA does not have');
  t.equal(UNSUPPORTED_BUILTINS.get('http.send')?.arity, 1, 'deliberately missing builtins are listed with their arity');
  for (const n of UNSUPPORTED_BUILTINS.keys()) t.notOk(BUILTINS.has(n), `${n} is not both supported and unsupported`);
  for (const n of ['time.now_ns', 'rand.intn', 'uuid.rfc4122']) t.equal(BUILTINS.get(n)?.nondeterministic, true, `${n} is nondeterministic`);
});

t.test('unexpected JS failures inside a builtin become builtin errors; stack exhaustion propagates', async (t) => {
  const b = BUILTINS.get('yaml.marshal') as NonNullable<ReturnType<typeof BUILTINS.get>>;
  // A huge integer goes through the YAML library exactly, digit for digit (no float rounding).
  t.equal(b.fn([new ObjectV([['a', 1n << 2000n]])], ctx), `a: ${(1n << 2000n).toString()}\n`, 'huge integer marshalled exactly');
  // A cyclic array is impossible in Rego; walking one exhausts the stack, which the evaluator handles.
  const cyclic: Value[] = [];
  cyclic.push(cyclic);
  const m = BUILTINS.get('json.marshal') as NonNullable<ReturnType<typeof BUILTINS.get>>;
  t.throws(() => m.fn([cyclic], ctx), RangeError);
  // Any other unexpected JS error is wrapped with the builtin's name.
  const f = BUILTINS.get('sort') as NonNullable<ReturnType<typeof BUILTINS.get>>;
  const hostile = new Proxy<Value[]>([1, 2], {
    get(target, prop, receiver) {
      if (prop === 'length') throw new TypeError('boom');
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  try {
    f.fn([hostile], ctx);
    t.fail('expected an error');
  } catch (e) {
    t.ok(e instanceof RegoError);
    t.equal((e as RegoError).detail, 'sort: boom');
  }
});

t.test('budget errors pass through untouched', async (t) => {
  const spent: BuiltinContext = {
    ...ctx,
    checkBudget: () => {
      throw new RegoError('eval_budget_exceeded', 'evaluation budget exceeded');
    },
  };
  const b = BUILTINS.get('sort') as NonNullable<ReturnType<typeof BUILTINS.get>>;
  try {
    b.fn([[3, 2, 1]], spent);
    t.fail('expected an error');
  } catch (e) {
    t.equal((e as RegoError).code, 'eval_budget_exceeded');
  }
});

t.test('walkNodes enumerates [path, value] pairs in OPA order', async (t) => {
  const doc = new ObjectV([
    ['b', [1]],
    ['a', new SetV(['x'])],
  ]);
  t.same(
    walkNodes(doc).map(([p, v]) => stringify([p, v])),
    ['[[],{"a":["x"],"b":[1]}]', '[["a"],["x"]]', '[["a","x"],"x"]', '[["b"],[1]]', '[["b",0],1]'],
  );
});
