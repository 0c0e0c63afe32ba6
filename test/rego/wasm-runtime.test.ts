// The wasm runtime (src/rego/wasm/runtime.wasm, AssemblyScript in runtime/assembly/) with
// hand-written plans stored by linkPlan, loaded with the official @open-policy-agent/opa-wasm SDK.
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import t from 'tap';
import { BUILTINS, type BuiltinContext } from '../../src/rego/builtins/index.js';
import { parseJSONExact } from '../../src/rego/json-exact.js';
import { fromJSON, SetV, type Value } from '../../src/rego/value.js';
import { LinkError, linkPlan, runtimeWasm } from '../../src/rego/wasm/link.js';
import type { Block, Plan, PlanEntrypoint, PlanFunction, PlanValue, Stmt } from '../../src/rego/wasm/plan.js';

interface RuntimeExports {
  opa_eval(reserved: number, entrypoint: number, data: number, input: number, inputLen: number, heapPtr: number, format: number): number;
  eval(ctx: number): number;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(ctx: number, v: number): void;
  opa_eval_ctx_set_data(ctx: number, v: number): void;
  opa_eval_ctx_set_entrypoint(ctx: number, e: number): void;
  opa_eval_ctx_get_result(ctx: number): number;
  opa_malloc(n: number): number;
  opa_json_parse(addr: number, len: number): number;
  opa_json_dump(v: number): number;
  opa_value_dump(v: number): number;
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(p: number): void;
  opa_value_add_path(base: number, path: number, value: number): number;
  opa_value_remove_path(base: number, path: number): number;
}

type Custom = Record<string, (...args: unknown[]) => unknown>;

function plan(entrypoints: PlanEntrypoint[], extra: Partial<Plan> = {}): Plan {
  return { version: 1, consts: [], builtins: [], functions: [], ...extra, entrypoints };
}

async function load(p: Plan, custom: Custom = {}): Promise<LoadedPolicy> {
  const { wasm, minPages } = linkPlan(runtimeWasm(), JSON.stringify(p));
  return loadPolicy(wasm, { initial: Math.max(5, minPages) }, custom);
}

function exportsOf(p: LoadedPolicy): RuntimeExports {
  return (p.wasmInstance as WebAssembly.Instance).exports as unknown as RuntimeExports;
}

function cString(p: LoadedPolicy, addr: number): string {
  const b = new Uint8Array(p.mem.buffer);
  let end = addr;
  while (b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(addr, end));
}

/** stores JSON text in the module's memory and parses it there */
function parseIn(p: LoadedPolicy, json: string): number {
  const x = exportsOf(p);
  const bytes = new TextEncoder().encode(json);
  const addr = x.opa_malloc(bytes.length);
  new Uint8Array(p.mem.buffer).set(bytes, addr);
  return x.opa_json_parse(addr, bytes.length);
}

/** one entrypoint: the body's block, results via `res` */
function ep(name: string, locals: number, ...blocks: Block[]): PlanEntrypoint {
  return { name, locals, body: blocks };
}

function results(rs: unknown): unknown[] {
  return (rs as { result: unknown }[]).map((r) => r.result);
}

t.test('values of every type round-trip through input, data and constants', async (t) => {
  const consts: PlanValue[] = [
    null,
    true,
    1.5,
    'str',
    { a: [1, { s: [] }] },
    {
      o: [
        [1, 'one'],
        [{ a: [1] }, 'arr'],
        ['b', null],
      ],
    },
    { s: [3, 'a', 1, { a: [] }, null] },
    { s: [] },
  ];
  const p = await load(
    plan(
      [
        ep('input', 3, [['res', 0]]),
        ep('data', 3, [['res', 1]]),
        ep(
          'consts',
          3,
          consts
            .map((_, i): Stmt[] => [
              ['k', 2, i],
              ['res', 2],
            ])
            .flat(),
        ),
      ],
      { consts },
    ),
  );
  t.same(p.entrypoints, { input: 0, data: 1, consts: 2 });
  const values = [null, true, false, 0, -1, 1.5, 0.1, 1e21, 123456789012, 'x', 'é😀\u0001"\\\n\u2028', [], [1, [2, [3]]], {}, { b: 1, a: { c: [null] } }];
  values.forEach((v, i) => t.same(results(p.evaluate([v])), [[v]], `value ${i}`));
  p.setData({ d: [1, 2], e: 'x' });
  t.same(results(p.evaluate(undefined, 'data')), [{ d: [1, 2], e: 'x' }]);
  t.same(results(p.evaluate(undefined, 'input')), [], 'no input: local 0 holds nothing');
  t.same(results(p.evaluate(undefined, 'consts')), [null, true, 1.5, 'str', [1, []], { '1': 'one', '[1]': 'arr', b: null }, [null, 1, 3, 'a', []], []]);
  // numbers: JSON.stringify's text; digits a double cannot hold are kept as written
  const raw = (json: string): string => cString(p, exportsOf(p).opa_json_dump(parseIn(p, json)));
  t.equal(
    raw('[1.0, -0, 1e2, 1E-7, 123456789012345678901234567890, 1e400, 0.30000000000000004, 2.5e-8, 1e21]'),
    '[1,0,100,1e-7,123456789012345678901234567890,1e400,0.30000000000000004,2.5e-8,1e+21]',
  );
});

/** what f throws, as text (opa_abort makes the SDK throw strings) */
function throwsText(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return String(e);
  }
  return '(no error)';
}

t.test('statements', async (t) => {
  const consts: PlanValue[] = ['a', 'b', 1, 2, { o: [['a', 1]] }, 'conflict: once', 'conflict: oonce', 'aborted', 0, 5];
  const p = await load(
    plan(
      [
        // mv fails on nothing, mv? copies nothing, reset, def/undef
        ep(
          'mv',
          5,
          [
            ['mv', 2, 3],
            ['res', 2],
          ],
          [
            ['mv?', 2, 3],
            ['undef', 2],
            ['k', 3, 2],
            ['mv', 2, 3],
            ['def', 2],
            ['res', 2],
            ['reset', 2],
            ['undef', 2],
            ['k', 4, 0],
            ['res', 4],
          ],
        ),
        ep(
          'eq',
          5,
          [
            ['k', 2, 2],
            ['k', 3, 2],
            ['eq', 2, 3],
            ['res', 2],
          ],
          [
            ['k', 3, 3],
            ['eq', 2, 3],
            ['res', 3],
          ],
          [
            ['ne', 2, 3],
            ['res', 3],
          ],
          [
            ['eq', 2, 4],
            ['res', 2],
          ],
        ),
        // dot on object, array, set; len
        ep(
          'dot',
          8,
          [
            ['k', 2, 4],
            ['k', 3, 0],
            ['dot', 4, 2, 3],
            ['res', 4],
            ['len', 5, 2],
            ['res', 5],
            ['k', 3, 1],
            ['dot', 4, 2, 3],
            ['res', 4],
          ],
          [
            ['k', 3, 1],
            ['dot', 4, 0, 3],
            ['res', 4],
          ],
        ),
        // mkarr/apush, mkset/sadd, mkobj/oset, ocopy, is*
        ep(
          'build',
          9,
          [
            ['mkarr', 2],
            ['k', 3, 0],
            ['apush', 2, 3],
            ['apush', 2, 3],
            ['isarr', 2],
            ['res', 2],
            ['mkset', 4],
            ['sadd', 4, 3],
            ['sadd', 4, 3],
            ['isset', 4],
            ['res', 4],
            ['mkobj', 5],
            ['k', 6, 1],
            ['oset', 5, 3, 6],
            ['oset', 5, 6, 3],
            ['oset', 5, 6, 6],
            ['isobj', 5],
            ['res', 5],
            ['ocopy', 7, 5],
            ['oset', 7, 3, 3],
            ['res', 7],
            ['res', 5],
            ['ocopy', 8, 2],
            ['res', 8],
          ],
          [
            ['isobj', 2],
            ['res', 2],
          ],
        ),
        ep('once', 5, [
          ['k', 3, 2],
          ['once', 2, 3, 5],
          ['once', 2, 3, 5],
          ['res', 2],
          ['k', 3, 3],
          ['once', 2, 3, 5],
        ]),
        ep('oonce', 6, [
          ['mkobj', 2],
          ['k', 3, 0],
          ['k', 4, 2],
          ['oonce', 2, 3, 4, 6],
          ['oonce', 2, 3, 4, 6],
          ['res', 2],
          ['k', 4, 3],
          ['oonce', 2, 3, 4, 6],
        ]),
        ep('abort', 2, [['abort', 7]]),
        // break depths: break 0 leaves its block, break 1 also the one around it (a `blocks` counts as nothing)
        ep(
          'break',
          4,
          [
            ['k', 2, 2],
            [
              'blocks',
              [
                [
                  ['res', 2],
                  ['break', 1],
                  ['res', 2],
                ],
                [['res', 2]],
              ],
            ],
            ['res', 2],
          ],
          [
            ['k', 2, 3],
            [
              'blocks',
              [
                [
                  ['break', 0],
                  ['res', 2],
                ],
                [['res', 2]],
              ],
            ],
            ['res', 2],
          ],
          [
            ['k', 2, 8],
            [
              'blocks',
              [
                [
                  ['blocks', [[['break', 2]]]],
                  ['res', 2],
                ],
              ],
            ],
            ['res', 2],
          ],
          [
            ['k', 2, 9],
            ['res', 2],
          ],
        ),
        // not: fails when its block runs to the end, continues when it is exited
        ep(
          'not',
          4,
          [
            ['not', [['k', 2, 0]]],
            ['res', 2],
          ],
          [
            ['not', [['def', 3]]],
            ['k', 2, 1],
            ['res', 2],
          ],
          [
            [
              'blocks',
              [
                [
                  ['not', [['break', 1]]],
                  ['k', 2, 8],
                ],
              ],
            ],
            ['k', 2, 9],
            ['res', 2],
          ],
        ),
      ],
      { consts },
    ),
  );
  t.same(results(p.evaluate(undefined, 'mv')), [1, 'a']);
  t.same(results(p.evaluate(undefined, 'eq')), [1, 2]);
  t.same(results(p.evaluate({ b: 'in' }, 'dot')), [1, 1, 'in']);
  t.same(results(p.evaluate(undefined, 'build')), [['a', 'a'], ['a'], { a: 'b', b: 'b' }, { a: 'a', b: 'b' }, { a: 'b', b: 'b' }, {}]);
  t.equal(
    throwsText(() => p.evaluate(undefined, 'once')),
    'conflict: once',
  );
  t.equal(
    throwsText(() => p.evaluate(undefined, 'oonce')),
    'conflict: oonce',
  );
  t.equal(
    throwsText(() => p.evaluate(undefined, 'abort')),
    'aborted',
  );
  t.same(results(p.evaluate(undefined, 'break')), [1, 2, 2, 5]);
  t.same(results(p.evaluate(undefined, 'not')), ['b', 5]);
});

t.test('once keeps an equal value, oonce an equal member', async (t) => {
  const p = await load(
    plan(
      [
        ep('once', 4, [
          ['k', 3, 0],
          ['once', 2, 3, 1],
          ['k', 3, 2],
          ['once', 2, 3, 1],
          ['res', 2],
        ]),
        ep('oonce', 5, [
          ['mkobj', 2],
          ['k', 3, 1],
          ['k', 4, 0],
          ['oonce', 2, 3, 4, 1],
          ['k', 4, 2],
          ['oonce', 2, 3, 4, 1],
          ['res', 2],
        ]),
      ],
      { consts: [1, 'msg', 1.0] },
    ),
  );
  t.same(results(p.evaluate(undefined, 'once')), [1]);
  t.same(results(p.evaluate(undefined, 'oonce')), [{ msg: 1 }]);
});

t.test('scan over arrays, objects and sets; nothing for a scalar', async (t) => {
  const p = await load(
    plan([
      ep('scan', 6, [
        ['mkarr', 4],
        [
          'scan',
          0,
          2,
          3,
          [
            ['mkarr', 5],
            ['apush', 5, 2],
            ['apush', 5, 3],
            ['apush', 4, 5],
          ],
        ],
        ['res', 4],
      ]),
      // break 1 inside the scanned block leaves the block around the scan
      ep(
        'first',
        5,
        [
          [
            'scan',
            0,
            2,
            3,
            [
              ['res', 3],
              ['break', 1],
            ],
          ],
          ['res', 0],
        ],
        [['res', 0]],
      ),
    ]),
  );
  t.same(results(p.evaluate(['a', 'b'], 'scan')), [
    [
      [0, 'a'],
      [1, 'b'],
    ],
  ]);
  t.same(
    results(p.evaluate({ x: 1, y: 2 }, 'scan')).map((r) => (r as unknown[][]).sort()),
    [
      [
        ['x', 1],
        ['y', 2],
      ],
    ],
  );
  t.same(results(p.evaluate('str', 'scan')), []);
  t.same(results(p.evaluate([7, 8], 'first')), [7, [7, 8]]);
  // a set: scan a set made by the plan
  const q = await load(
    plan([
      ep('set', 6, [
        ['mkset', 2],
        ['scan', 0, 3, 4, [['sadd', 2, 4]]],
        ['mkarr', 5],
        [
          'scan',
          2,
          3,
          4,
          [
            ['eq', 3, 4],
            ['apush', 5, 4],
          ],
        ],
        ['len', 3, 5],
        ['res', 3],
      ]),
    ]),
  );
  t.same(results(q.evaluate([1, 2, 2, 3])), [3]);
});

t.test('function calls with parameters', async (t) => {
  const fns: PlanFunction[] = [
    // f(x, y) = x + y, undefined when x is 0
    {
      name: 'f',
      params: 2,
      locals: 6,
      ret: 4,
      body: [
        [
          ['k', 5, 0],
          ['ne', 2, 5],
          ['bi', 0, [2, 3], 4],
        ],
      ],
    },
    // g() = input.v (locals 0 and 1 are input and data)
    {
      name: 'g',
      params: 0,
      locals: 4,
      ret: 2,
      body: [
        [
          ['k', 3, 1],
          ['dot', 2, 0, 3],
        ],
      ],
    },
  ];
  const p = await load(
    plan(
      [
        ep(
          'main',
          6,
          [
            ['k', 2, 2],
            ['k', 3, 3],
            ['call', 0, [2, 3], 4],
            ['res', 4],
            ['k', 2, 0],
            ['call', 0, [2, 3], 4],
            ['res', 4],
          ],
          [
            ['call', 1, [], 5],
            ['res', 5],
          ],
        ),
      ],
      {
        consts: [0, 'v', 2, 3],
        builtins: ['plus'],
        functions: fns,
      },
    ),
  );
  t.same(results(p.evaluate({ v: 'from input' })), [5, 'from input']);
});

const BUILTIN_CASES: [string, PlanValue[], unknown][] = [
  ['equal', [1, 1.0], true],
  ['neq', ['a', 'a'], false],
  ['lt', ['\uffff', '😀'], true], // code point order, not UTF-16 units
  ['lte', [null, false], true],
  ['gt', [{ a: [1, 2] }, { a: [1] }], true],
  ['gte', [{ s: [1] }, { o: [] }], true],
  ['lt', [{ o: [['a', 2]] }, { o: [['b', 1]] }], true],
  ['plus', [1, 2.5], 3.5],
  ['plus', ['1', 2], undefined],
  ['minus', [5, 7], -2],
  ['minus', [{ s: [1, 2, 3] }, { s: [2] }], [1, 3]],
  ['mul', [3, 4], 12],
  ['div', [7, 2], 3.5],
  ['div', [1, 0], undefined],
  ['rem', [7, -3], 1],
  ['rem', [-7, 3], -1],
  ['rem', [7.5, 2], undefined],
  ['rem', [7, 0], undefined],
  ['abs', [-2], 2],
  ['round', [-2.5], -3],
  ['round', [2.4], 2],
  ['ceil', [1.1], 2],
  ['floor', [-1.1], -2],
  ['count', ['é😀'], 2],
  ['count', [{ o: [['a', 1]] }], 1],
  ['count', [1], undefined],
  ['sum', [{ a: [1, 2, 3.5] }], 6.5],
  ['sum', [{ a: [1, 'x'] }], undefined],
  ['product', [{ s: [2, 3] }], 6],
  ['max', [{ a: [1, 'a', null] }], 'a'],
  ['min', [{ s: [3, 2] }], 2],
  ['max', [{ a: [] }], undefined],
  ['sort', [{ a: [3, 'a', 1, null] }], [null, 1, 3, 'a']],
  ['sort', [{ s: ['b', 'a'] }], ['a', 'b']],
  ['and', [{ s: [1, 2] }, { s: [2, 3] }], [2]],
  ['or', [{ s: [1, 2] }, { s: [2, 3] }], [1, 2, 3]],
  ['concat', ['/', { a: ['a', 'b'] }], 'a/b'],
  ['concat', [',', { s: ['b', 'a'] }], 'a,b'],
  ['concat', [',', { a: ['a', 1] }], undefined],
  ['startswith', ['abc', 'ab'], true],
  ['endswith', ['abc', 'bc'], true],
  ['contains', ['abc', 'd'], false],
  ['lower', ['AbÉ'], 'abé'],
  ['upper', ['abé'], 'ABÉ'],
  ['upper', ['ß'], 'ß'],
  ['split', ['a,b,,c', ','], ['a', 'b', '', 'c']],
  ['split', ['', ','], ['']],
  ['split', ['a😀', ''], ['a', '😀']],
  ['replace', ['aaa', 'a', 'bb'], 'bbbbbb'],
  ['replace', ['ab', '', '-'], '-a-b-'],
  ['trim', ['xxaxx', 'x'], 'a'],
  ['trim_space', ['\t a \u3000'], 'a'],
  ['trim_prefix', ['abc', 'ab'], 'c'],
  ['trim_suffix', ['abc', 'bc'], 'a'],
  ['trim_left', ['xxa', 'x'], 'a'],
  ['trim_right', ['axx', 'x'], 'a'],
  ['substring', ['héllo', 1, 3], 'éll'],
  ['substring', ['hello', 1, -1], 'ello'],
  ['substring', ['hello', 9, 1], ''],
  ['substring', ['hello', -1, 1], undefined],
  ['substring', ['hello', 1.5, 1], undefined],
  ['indexof', ['😀ab', 'b'], 2],
  ['indexof', ['ab', 'c'], -1],
  ['indexof', ['ab', ''], undefined],
  [
    'strings.replace_n',
    [
      {
        o: [
          ['a', '1'],
          ['b', '2'],
        ],
      },
      'abc',
    ],
    '12c',
  ],
  ['format_int', [255, 16], 'ff'],
  ['format_int', [-5.9, 2], '-101'],
  ['format_int', [5, 3], undefined],
  ['to_number', ['-1.5e2'], -150],
  ['to_number', [true], 1],
  ['to_number', [null], 0],
  ['to_number', ['abc'], undefined],
  ['to_number', ['inf'], undefined],
  ['is_string', ['a'], true],
  ['is_number', ['a'], false],
  ['is_boolean', [false], true],
  ['is_array', [{ a: [] }], true],
  ['is_object', [{ o: [] }], true],
  ['is_set', [{ s: [] }], true],
  ['is_null', [null], true],
  ['type_name', [{ s: [] }], 'set'],
  ['object.get', [{ o: [['a', 1]] }, 'a', 0], 1],
  ['object.get', [{ o: [['a', 1]] }, 'b', 0], 0],
  ['object.get', [{ o: [['a', { o: [['b', { a: [5, 6] }]] }]] }, { a: ['a', 'b', 1] }, 0], 6],
  ['object.get', [{ o: [['a', 1]] }, { a: [] }, 0], { a: 1 }],
  [
    'object.keys',
    [
      {
        o: [
          ['b', 1],
          ['a', 2],
        ],
      },
    ],
    ['a', 'b'],
  ],
  [
    'object.remove',
    [
      {
        o: [
          ['a', 1],
          ['b', 2],
        ],
      },
      { a: ['a'] },
    ],
    { b: 2 },
  ],
  [
    'object.remove',
    [
      {
        o: [
          ['a', 1],
          ['b', 2],
        ],
      },
      { o: [['b', 0]] },
    ],
    { a: 1 },
  ],
  [
    'object.union',
    [
      {
        o: [
          ['a', { o: [['x', 1]] }],
          ['b', 1],
        ],
      },
      {
        o: [
          ['a', { o: [['y', 2]] }],
          ['b', 2],
        ],
      },
    ],
    { a: { x: 1, y: 2 }, b: 2 },
  ],
  ['array.concat', [{ a: [1] }, { a: [2] }], [1, 2]],
  ['array.slice', [{ a: [1, 2, 3, 4] }, 1, 3], [2, 3]],
  ['array.slice', [{ a: [1, 2, 3] }, -5, 10], [1, 2, 3]],
  ['array.slice', [{ a: [1, 2, 3] }, 2, 1], []],
  ['array.reverse', [{ a: [1, 2, 3] }], [3, 2, 1]],
  ['numbers.range', [3, 1], [3, 2, 1]],
  ['numbers.range', [1, 1.5], undefined],
  ['internal.member_2', [2, { a: [1, 2] }], true],
  ['internal.member_2', [2, { o: [['a', 2]] }], true],
  ['internal.member_2', [2, 'x'], false],
  ['internal.member_3', [1, 'b', { a: ['a', 'b'] }], true],
  ['internal.member_3', ['k', 'v', { o: [['k', 'v']] }], true],
  ['internal.member_3', [1, 1, { s: [1] }], true],
  [
    'json.marshal',
    [
      {
        o: [
          ['b', { s: [2, 1] }],
          ['a', 'é'],
        ],
      },
    ],
    '{"a":"é","b":[1,2]}',
  ],
  ['json.unmarshal', ['{"a":[1,2.5,"x"]}'], { a: [1, 2.5, 'x'] }],
  ['json.unmarshal', ['{"a":'], undefined],
];

t.test('native builtins', async (t) => {
  const consts: PlanValue[] = [];
  const builtins: string[] = [];
  const entrypoints: PlanEntrypoint[] = BUILTIN_CASES.map(([name, args], i) => {
    let b = builtins.indexOf(name);
    if (b < 0) b = builtins.push(name) - 1;
    const block: Stmt[] = args.map((a, j): Stmt => ['k', 2 + j, consts.push(a) - 1]);
    block.push(['bi', b, args.map((_, j) => 2 + j), 6], ['res', 6]);
    return ep(`case${i}`, 7, block);
  });
  const p = await load(plan(entrypoints, { consts, builtins }));
  t.same(p.entrypoints['case0'], 0);
  // every name above is native: nothing for the host
  const x = exportsOf(p) as unknown as { builtins(): number };
  t.equal(cString(p, exportsOf(p).opa_json_dump(x.builtins())), '{}');
  BUILTIN_CASES.forEach(([name, args, want], i) => {
    const got = results(p.evaluate(undefined, i));
    t.same(got, want === undefined ? [] : [want], `${name}(${JSON.stringify(args)})`);
  });
});

// sprintf(format, args) cases: the args as JSON text (numbers kept as written), and optionally the
// elements of a set appended to them as a last argument.
const SPRINTF_CASES: [string, string, string?][] = [
  ['hi %v', '[["there", 5, 3.14]]'],
  ['%s and %v', '["str", "v"]'],
  ['%d %d %d', '[0, -42, 9007199254740993]'],
  ['%v', '[9007199254740993]'],
  ['%v %v %.20f', '[-0.30000000000000004, 1.2345678901234567e-300, 0.1000000000000000055511151231257827]'],
  ['%v %e', '[12345678901234567890.5, 2.5e-320]'],
  ['%d', '[123456789012345678901234567890]'],
  ['%x %X', '[123456789012345678901234567890, -123456789012345678901234567890]'],
  ['%d %v', '[-9223372036854775808, 9223372036854775808]'],
  ['%v %v %v %v', '[3.14, 1e21, 1e-5, 0.30000000000000004]'],
  ['%v', '[1e400]'],
  ['%v %v', '[1e19, 2.5e300]'],
  ['%.2f|%f|%.0f|%.3f', '[3.14159, 2.5, 2.5, -0.0005]'],
  ['%e|%.2e|%E', '[1234.5678, 0.000123, 1e-10]'],
  ['%g|%.3g|%G|%g', '[1234567.5, 3.14159, 1e-7, 100000.5]'],
  ['%8.3f|%-8.2f|%08.3f|%+.1f|% .1f', '[3.14159, 2.5, -3.14159, 2.25, 2.5]'],
  ['%5d|%-5d|%05d|%+d|% d|%+05d', '[42, 42, -42, 42, 42, 7]'],
  ['%x %X %o %b %#x %#o', '[255, 255, 8, 5, 255, 8]'],
  ['%x|%X|% x|%#x', '["héllo", "hi", "abc", "ab"]'],
  ['%q|%q|%q|%+q|%#q', '["a\\"b", "é😀\\n\\u0001", "tab\\t", "é", "back`quote"]'],
  ['%10s|%-10s|%.2s|%5.1s', '["right", "left", "truncate", "abc"]'],
  ['%c%c%c|%q', '[72, 233, 128512, 65]'],
  ['%t %t', '[true, "x"]'],
  ['%v %v %s', '[true, false, null]'],
  ['%d', '[true]'],
  ['%d', '["str"]'],
  ['%s', '[5]'],
  ['%s', '[1.5]'],
  ['%d', '[1.5]'],
  ['%x', '[1.5]'],
  ['100%% %v', '[1]'],
  ['%v %v', '[1]'],
  ['%v', '[1, "two", [3], {"a": 4}]'],
  ['no verbs', '["x", 2]'],
  ['%', '[1]'],
  ['%!', '[]'],
  ['%z', '[1]'],
  ['%[2]v %[1]v', '["a", "b"]'],
  ['%[3]v', '["a"]'],
  ['%*d|%-*d|%.*f', '[5, 42, 4, 7, 2, 3.14159]'],
  ['%v', '[{"b": [1, {"c": null}], "a": "é\\"x"}]'],
  ['%v|%s', '[[], {}]'],
  ['%v', '[["\\u0000\\u007f\\u00a0\\u2028"]]'],
  ['%#v %T %T %T', '["q", 1, 1.5, "s"]'],
  ['%U %#U', '[9731, 128512]'],
  ['%.3v|%10.4v|%-10v|', '[3.14159, 123.456, 1.5]'],
  ['%v', '[1.0]'],
  ['%v %v', '[-0, 1e2]'],
  ['%6.2f%%', '[99.5]'],
  ['set: %v', '[]', '[3, "a", 1, [1, 2], {"k": "v"}]'],
  ['%v and %v', '["x"]', '[]'],
  ['%s', '[]', '[null, true, 2.5]'],
];

const SPRINTF_CTX: BuiltinContext = {
  strict: false,
  nowNs: () => 0n,
  markRandom: () => {},
  markExternal: () => {},
  print: () => {},
  checkBudget: () => {},
};

t.test('sprintf is native and agrees with the JS engine', async (t) => {
  const p = await load(
    plan(
      [
        ep('sprintf', 5, [
          ['k', 2, 0],
          ['dot', 3, 0, 2],
          ['k', 2, 1],
          ['dot', 4, 0, 2],
          ['bi', 0, [3, 4], 2],
          ['res', 2],
        ]),
        // the args with a set of input[2]'s elements appended
        ep('withset', 9, [
          ['k', 2, 0],
          ['dot', 3, 0, 2],
          ['k', 2, 1],
          ['dot', 4, 0, 2],
          ['mkarr', 5],
          ['scan', 4, 6, 7, [['apush', 5, 7]]],
          ['k', 2, 2],
          ['dot', 8, 0, 2],
          ['mkset', 4],
          ['scan', 8, 6, 7, [['sadd', 4, 7]]],
          ['apush', 5, 4],
          ['bi', 0, [3, 5], 2],
          ['res', 2],
        ]),
      ],
      { consts: [0, 1, 2], builtins: ['sprintf'] },
    ),
  );
  const x = exportsOf(p) as unknown as { builtins(): number };
  t.equal(cString(p, exportsOf(p).opa_json_dump(x.builtins())), '{}', 'nothing for the host');
  const jsSprintf = BUILTINS.get('sprintf')!;
  for (const [format, argsJSON, setJSON] of SPRINTF_CASES) {
    const args = fromJSON(parseJSONExact(argsJSON)) as Value[];
    if (setJSON !== undefined) args.push(new SetV(fromJSON(parseJSONExact(setJSON)) as Value[]));
    const want = jsSprintf.fn([format, args], SPRINTF_CTX);
    const input = `[${JSON.stringify(format)}, ${argsJSON}${setJSON === undefined ? '' : ', ' + setJSON}]`;
    const got = results(p.evaluate(new TextEncoder().encode(input).buffer, setJSON === undefined ? 'sprintf' : 'withset'));
    t.same(got, [want], `sprintf(${JSON.stringify(format)}, ${argsJSON}${setJSON === undefined ? '' : ' + set' + setJSON})`);
  }
  t.equal(SPRINTF_CASES.length >= 40, true);
  // examples spelled out
  const run = (input: string): unknown[] => results(p.evaluate(new TextEncoder().encode(input).buffer, 'sprintf'));
  t.same(run('["hi %v", [["there", 5, 3.14]]]'), ['hi ["there", 5, 3.14]']);
  t.same(run('["%d", [9007199254740993]]'), ['9007199254740993']);
  t.same(run('["%v %v %v", [1e21, 1e-5, 3.14]]'), ['1e+21 1e-05 3.14']);
  t.same(run('["%v %v", [1]]'), ['1 %!v(MISSING)']);
  t.same(run('["%v", [1, "x"]]'), ['1%!(EXTRA string=x)']);
  t.same(run('["%t", [true]]'), ['%!t(string=true)']);
  // wrong operand types: undefined
  t.same(run('[1, []]'), []);
  t.same(run('["%v", "x"]'), []);
});

t.test('builtins the runtime does not implement go to the host', async (t) => {
  const seen: unknown[][] = [];
  const p = await load(
    plan(
      [
        ep('host', 6, [
          ['k', 2, 0],
          ['k', 3, 1],
          ['bi', 1, [2, 3], 4],
          ['res', 4],
          ['bi', 2, [], 5],
          ['res', 5],
          ['bi', 3, [2], 5],
          ['res', 5],
        ]),
      ],
      { consts: [{ s: [2, 1] }, 'x'], builtins: ['plus', 'custom.pair', 'custom.zero', 'custom.undefined'] },
    ),
    {
      'custom.pair': (...args: unknown[]) => {
        seen.push(args);
        return { args };
      },
      'custom.zero': () => 0,
      'custom.undefined': () => undefined,
    },
  );
  const x = exportsOf(p) as unknown as { builtins(): number };
  t.same(JSON.parse(cString(p, exportsOf(p).opa_json_dump(x.builtins()))), { 'custom.pair': 0, 'custom.zero': 1, 'custom.undefined': 2 });
  t.same(results(p.evaluate(undefined)), [{ args: [[1, 2], 'x'] }, 0]);
  t.same(seen, [[[1, 2], 'x']]);
});

/** what a promise rejects with, as text (opa_abort makes the SDK throw strings) */
async function thrown(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return String(e);
  }
  return '(no error)';
}

t.test('a malformed plan aborts at start, with where', async (t) => {
  const bad: [Plan, RegExp][] = [
    [plan([ep('e', 2, [['res', 2]])]), /entrypoints\[0\] \(e\): local 2 out of range \(2 locals\)/],
    [plan([ep('e', 3, [['nope', 2] as unknown as Stmt])]), /unknown statement "nope"/],
    [plan([ep('e', 3, [['break', 1]])]), /break 1 exits more blocks than there are/],
    [plan([ep('e', 3, [['k', 2, 0]])]), /constant 0 out of range/],
    [plan([ep('e', 3, [['bi', 0, [2, 2, 2, 2, 2], 2]])], { builtins: ['custom.five'] }), /custom.five has 5 arguments/],
    [plan([ep('e', 3, [['bi', 0, [2], 2]])], { builtins: ['plus'] }), /plus takes 2 arguments, called with 1/],
    [plan([ep('e', 3, [['call', 0, [2], 2]])], { functions: [{ name: 'f', params: 2, locals: 4, ret: 2, body: [] }] }), /call of f with 1 arguments/],
    [{ version: 2 } as unknown as Plan, /malformed plan: unsupported version/],
  ];
  for (const [p, re] of bad) t.match(await thrown(load(p)), re);
  const { wasm } = linkPlan(runtimeWasm(), '{not json');
  t.match(await thrown(loadPolicy(wasm)), /malformed plan: not valid JSON/);
});

t.test('the bare runtime works with no entrypoints', async (t) => {
  const p = await loadPolicy(runtimeWasm());
  t.same(p.entrypoints, {});
  t.match(
    throwsText(() => p.evaluate({})),
    /invalid entrypoint id 0/,
  );
});

t.test('many evaluations in a row: the heap is reset, memory does not grow', async (t) => {
  const p = await load(
    plan([
      ep('e', 5, [
        ['mkarr', 2],
        ['scan', 0, 3, 4, [['apush', 2, 4]]],
        ['res', 2],
      ]),
    ]),
  );
  const input = { xs: Array.from({ length: 50 }, (_, i) => ({ i, s: `item ${i}` })) };
  p.evaluate(input);
  const size = p.mem.buffer.byteLength;
  const t0 = performance.now();
  for (let i = 0; i < 10_000; i++) p.evaluate(input);
  t.comment(`${((performance.now() - t0) / 10_000).toFixed(4)} ms per evaluation (50-element input)`);
  t.equal(p.mem.buffer.byteLength, size);
  t.same(results(p.evaluate(input)), [Object.values(input)]);
});

t.test('the ABI 1.1 ctx path, opa_value_dump and opa_json_dump, paths', async (t) => {
  const p = await load(
    plan(
      [
        ep('a', 3, [
          ['res', 0],
          ['res', 1],
        ]),
        ep('b', 3, [
          ['k', 2, 0],
          ['res', 2],
        ]),
      ],
      { consts: [{ s: [2, 1, 'x'] }] },
    ),
  );
  const x = exportsOf(p);
  const base = x.opa_heap_ptr_get();
  const input = parseIn(p, '{"i":[1,2]}');
  const data = parseIn(p, '{"d":true}');
  const ctx = x.opa_eval_ctx_new();
  x.opa_eval_ctx_set_input(ctx, input);
  x.opa_eval_ctx_set_data(ctx, data);
  x.opa_eval_ctx_set_entrypoint(ctx, 0);
  t.equal(x.eval(ctx), 0);
  t.equal(cString(p, x.opa_json_dump(x.opa_eval_ctx_get_result(ctx))), '[{"result":{"i":[1,2]}},{"result":{"d":true}}]');
  x.opa_eval_ctx_set_entrypoint(ctx, 1);
  x.eval(ctx);
  const rs = x.opa_eval_ctx_get_result(ctx);
  t.equal(cString(p, x.opa_json_dump(rs)), '[{"result":[1,2,"x"]}]');
  t.equal(cString(p, x.opa_value_dump(rs)), '[{"result": {1, 2, "x"}}]');
  t.equal(cString(p, x.opa_value_dump(parseIn(p, '[]'))), '[]');
  // opa_eval directly, format 1 (Rego text); an empty set is set()
  const q = await load(
    plan([
      ep('e', 3, [
        ['mkset', 2],
        ['res', 2],
      ]),
    ]),
  );
  const y = exportsOf(q);
  const heap = y.opa_heap_ptr_get();
  t.equal(cString(q, y.opa_eval(0, 0, 0, 0, 0, heap, 1)), '[{"result": set()}]');
  t.equal(cString(q, y.opa_eval(0, 0, 0, 0, 0, heap, 0)), '[{"result":[]}]');
  // add/remove path
  x.opa_heap_ptr_set(base);
  const obj = parseIn(p, '{"a":{"b":1}}');
  t.equal(x.opa_value_add_path(obj, parseIn(p, '["a","c","d"]'), parseIn(p, '2')), 0);
  t.equal(cString(p, x.opa_json_dump(obj)), '{"a":{"b":1,"c":{"d":2}}}');
  t.equal(x.opa_value_remove_path(obj, parseIn(p, '["a","b"]')), 0);
  t.equal(cString(p, x.opa_json_dump(obj)), '{"a":{"c":{"d":2}}}');
  t.equal(x.opa_value_add_path(obj, parseIn(p, '[1]'), parseIn(p, '2')), 3);
});

t.test('JSON parsing is strict; malformed input does not crash the host', async (t) => {
  const p = await load(plan([ep('e', 3, [['res', 0]])]));
  const x = exportsOf(p);
  for (const bad of ['', '{', '[1,]', '{"a":1,}', '01', '1.', '"\\x"', '"\u0001"', 'nul', '[1] 2', "'a'", '{"a" 1}', '-', '1e']) {
    t.equal(parseIn(p, bad), 0, JSON.stringify(bad));
  }
  // invalid UTF-8: an overlong encoding, a lone continuation byte, a surrogate
  for (const bytes of [
    [0x22, 0xc0, 0xaf, 0x22],
    [0x22, 0x80, 0x22],
    [0x22, 0xed, 0xa0, 0x80, 0x22],
  ]) {
    const addr = x.opa_malloc(bytes.length);
    new Uint8Array(p.mem.buffer).set(bytes, addr);
    t.equal(x.opa_json_parse(addr, bytes.length), 0, `bytes ${bytes}`);
  }
  t.equal(cString(p, x.opa_json_dump(parseIn(p, '"\\ud83d\\ude00\\u00e9\\/"'))), '"😀é/"');
  t.equal(cString(p, x.opa_json_dump(parseIn(p, '"\\ud83d"'))), '"\ufffd"', 'a lone surrogate escape is U+FFFD');
  t.match(
    throwsText(() => p.evaluate(new TextEncoder().encode('{"a":').buffer)),
    /input is not valid JSON/,
  );
  // deep nesting is an error, not a stack overflow
  t.match(
    throwsText(() => p.evaluate(new TextEncoder().encode('['.repeat(10_000) + ']'.repeat(10_000)).buffer)),
    /input is not valid JSON/,
  );
  const deep = '['.repeat(900) + ']'.repeat(900);
  t.equal(JSON.stringify(p.evaluate(new TextEncoder().encode(deep).buffer)), `[{"result":${deep}}]`);
  t.same(results(p.evaluate({ ok: 1 })), [{ ok: 1 }], 'still works after errors');
});

function linkErrorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof LinkError ? e.code : `not a LinkError: ${String(e)}`;
  }
  return '(no error)';
}

t.test('linkPlan', async (t) => {
  const runtime = runtimeWasm();
  const big = 'x'.repeat(400_000);
  const { wasm, minPages } = linkPlan(
    runtime,
    JSON.stringify(
      plan(
        [
          ep('e', 3, [
            ['k', 2, 0],
            ['res', 2],
          ]),
        ],
        { consts: [big] },
      ),
    ),
  );
  t.ok(minPages >= 7, `minPages ${minPages}`);
  const mod = new WebAssembly.Module(wasm);
  const mem = WebAssembly.Module.imports(mod).find((i) => i.kind === 'memory');
  t.same(mem, { module: 'env', name: 'memory', kind: 'memory' });
  t.match(await thrown(loadPolicy(wasm, { initial: minPages - 1 })), /memory/, 'less memory than the minimum is refused');
  const p = await loadPolicy(wasm, { initial: minPages });
  t.equal((results(p.evaluate({}))[0] as string).length, 400_000);
  t.same(
    WebAssembly.Module.imports(new WebAssembly.Module(runtime))
      .map((i) => `${i.module}.${i.name}`)
      .filter((n) => !/^env\.(memory|opa_abort|opa_println|opa_builtin[0-4])$/.test(n)),
    [],
    'the runtime imports only what the SDK provides',
  );
  for (const [bytes, code] of [
    [new Uint8Array([1, 2, 3]), 'not_wasm'],
    [runtime.subarray(0, 100), 'truncated'],
  ] as const) {
    t.equal(
      linkErrorCode(() => linkPlan(bytes, '{}')),
      code,
    );
  }
  // a module without the global
  const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, 10, 1, 3, 0x65, 0x6e, 0x76, 1, 0x6d, 2, 0, 1]);
  t.equal(
    linkErrorCode(() => linkPlan(empty, '{}')),
    'no_plan_base',
  );
  t.same(linkPlan(runtime, '{}').wasm, linkPlan(runtime, '{}').wasm, 'deterministic');
});
