// schemas/*.json compile on first use (src/shared/schemas.ts): every one must still compile, in
// both variants, or a bad schema would surface only when a route first asked for it.
import t from 'tap';
import { firstErrorValidatorFor, schemas, validatorFor } from '../../src/shared/schemas.js';

t.test('every schema compiles, reporting every error and stopping at the first', async (t) => {
  t.ok(schemas.length >= 10, `${schemas.length} schemas read`);
  for (const s of schemas) {
    const all = validatorFor(s.$id);
    const first = firstErrorValidatorFor(s.$id);
    t.type(all, 'function', `${s.$id}: every error`);
    t.type(first, 'function', `${s.$id}: first error`);
    t.equal(validatorFor(s.$id), all, `${s.$id}: compiled once`);
    t.equal(firstErrorValidatorFor(s.$id), first, `${s.$id}: compiled once (first error)`);
  }
});

t.test('the two variants differ as named', async (t) => {
  // config.json: two wrong fields, both reported by one, only the first by the other.
  const bad = { server: { port: 'eighty', host: 7 } };
  const all = validatorFor('config.json');
  const first = firstErrorValidatorFor('config.json');
  t.equal(all(bad), false);
  t.equal(first(bad), false);
  t.ok((all.errors?.length ?? 0) >= 2, `every error: ${all.errors?.length}`);
  t.equal(first.errors?.length, 1, 'the first error only');
});

t.test('an id that is not one of schemas/ is refused', async (t) => {
  t.throws(() => validatorFor('nope.json'), /unknown schema nope\.json/);
  t.throws(() => firstErrorValidatorFor('config.json#/properties/server'), /unknown schema/);
});
