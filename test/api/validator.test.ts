// Request-schema validators (src/api/validator.ts): a deeply frozen value the schema accepted is
// accepted again without another pass (a repeated body's shared parse cannot change); anything
// else — a mutable value, a shallow-frozen one, a frozen one that failed — is validated every time.
import t from 'tap';
import { Ajv, type ValidateFunction } from 'ajv';
import { boundedValidator } from '../../src/api/validator.js';
import { deepFreeze } from '../../src/shared/deep-freeze.js';

const SCHEMA = {
  type: 'object',
  required: ['tool', 'args'],
  properties: { tool: { type: 'string' }, args: { type: 'object', properties: { n: { type: 'integer' } } } },
};

/** The validator, and how many times each ajv function ran. */
function counted(): { validate: ReturnType<typeof boundedValidator>; calls: { first: number; all: number } } {
  const first = new Ajv({ allErrors: false }).compile(SCHEMA);
  const all = new Ajv({ allErrors: true }).compile(SCHEMA);
  const calls = { first: 0, all: 0 };
  const wrap = (fn: ValidateFunction, key: 'first' | 'all'): ValidateFunction => {
    const w = ((data: unknown) => {
      calls[key]++;
      const ok = fn(data);
      w.errors = fn.errors;
      return ok;
    }) as ValidateFunction;
    return w;
  };
  return { validate: boundedValidator(wrap(first, 'first'), wrap(all, 'all'), 10), calls };
}

t.test('a deeply frozen value the schema accepted is accepted again without a pass over it', async (t) => {
  const { validate, calls } = counted();
  const body = deepFreeze({ tool: 'search', args: { n: 3 } });
  t.equal(validate(body), true);
  t.equal(validate.errors, null);
  t.equal(calls.first, 1);
  for (let i = 0; i < 3; i++) t.equal(validate(body), true, `accepted again (${i + 1})`);
  t.equal(validate.errors, null, 'no errors left over');
  t.equal(calls.first, 1, 'validated once');
  // An equal but different frozen value is validated on its own.
  t.equal(validate(deepFreeze({ tool: 'search', args: { n: 3 } })), true);
  t.equal(calls.first, 2);
});

t.test('mutable and shallow-frozen values are validated every time: a later change is seen', async (t) => {
  const { validate, calls } = counted();
  const mutable: { tool: unknown; args: { n: unknown } } = { tool: 'search', args: { n: 3 } };
  t.equal(validate(mutable), true);
  mutable.args.n = 'three';
  t.equal(validate(mutable), false, 'the changed value is refused');
  t.equal(calls.first, 2);

  const shallow = Object.freeze({ tool: 'search', args: { n: 3 as unknown } });
  t.equal(validate(shallow), true);
  shallow.args.n = 'three';
  t.equal(validate(shallow), false, 'a change inside a shallow-frozen value is refused');
  t.ok(
    validate.errors?.some((e) => e.instancePath === '/args/n'),
    'naming the field',
  );
});

t.test('a deeply frozen value the schema refused is refused every time, with its errors', async (t) => {
  const { validate, calls } = counted();
  const bad = deepFreeze({ tool: 7, args: { n: 'x' } });
  for (let i = 0; i < 3; i++) {
    t.equal(validate(bad), false);
    t.same(validate.errors?.map((e) => e.instancePath).sort(), ['/args/n', '/tool'], 'every error listed');
  }
  t.equal(calls.first, 3, 'validated each time');
  // An accepted value in between leaves no errors behind, and the refused one stays refused.
  t.equal(validate(deepFreeze({ tool: 'ok', args: {} })), true);
  t.equal(validate.errors, null);
  t.equal(validate(bad), false);
});
