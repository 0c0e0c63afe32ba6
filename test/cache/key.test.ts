import t from 'tap';
import { decisionCacheKey } from '../../src/cache/key.js';

const base = { revisions: { 'ai-governance': 'rev-1', extra: 'x-7' }, path: 'ai/tools/decision', input: { a: 1, b: [1, 2], c: { d: 'e', f: null } } };

t.test('field order in input or revisions does not change the key', async (t) => {
  const reordered = {
    revisions: { extra: 'x-7', 'ai-governance': 'rev-1' },
    path: 'ai/tools/decision',
    input: { c: { f: null, d: 'e' }, b: [1, 2], a: 1 },
  };
  t.equal(decisionCacheKey(reordered), decisionCacheKey(base));
  t.match(decisionCacheKey(base), /^[0-9a-f]{64}$/);
});

t.test('a new bundle revision, another path or another input is another key', async (t) => {
  const k = decisionCacheKey(base);
  t.not(decisionCacheKey({ ...base, revisions: { ...base.revisions, 'ai-governance': 'rev-2' } }), k, 'revision');
  t.not(decisionCacheKey({ ...base, revisions: { 'ai-governance': 'rev-1' } }), k, 'bundle set');
  t.not(decisionCacheKey({ ...base, path: 'ai/deployment/decision' }), k, 'path');
  t.not(decisionCacheKey({ ...base, input: { ...base.input, a: 2 } }), k, 'input value');
  t.not(decisionCacheKey({ ...base, input: { ...base.input, b: [2, 1] } }), k, 'array order matters');
});

t.test('leading/trailing slashes of the path are ignored; undefined input differs from null', async (t) => {
  t.equal(decisionCacheKey({ ...base, path: '/ai/tools/decision/' }), decisionCacheKey(base));
  t.not(decisionCacheKey({ ...base, input: undefined }), decisionCacheKey({ ...base, input: null }));
});

t.test('revision names and values cannot be shifted into each other', async (t) => {
  t.not(decisionCacheKey({ ...base, revisions: { ab: 'c' } }), decisionCacheKey({ ...base, revisions: { a: 'bc' } }));
});

t.test('strict-builtin-errors mode is part of the key', async (t) => {
  t.not(decisionCacheKey({ ...base, strict: true }), decisionCacheKey(base));
  t.equal(decisionCacheKey({ ...base, strict: false }), decisionCacheKey(base));
});

t.test('same revision, other bundle content (digest): another key', async (t) => {
  const withDigest = { ...base, digests: { 'ai-governance': 'sha-a', extra: 'sha-x' } };
  const k = decisionCacheKey(withDigest);
  t.not(decisionCacheKey({ ...withDigest, digests: { ...withDigest.digests, 'ai-governance': 'sha-b' } }), k, 'digest');
  t.equal(decisionCacheKey({ ...withDigest, digests: { extra: 'sha-x', 'ai-governance': 'sha-a' } }), k, 'digest order does not matter');
  t.not(k, decisionCacheKey(base), 'with and without digests differ');
});

t.test('the key is sha256 of the canonical JSON of all its parts, whichever parts were seen before', async (t) => {
  // The key module writes the material around the input once per snapshot and path; the text
  // must stay what canonical JSON of the whole object is (Redis entries written before and
  // after share keys), also when one snapshot's objects meet other paths, flags and digests.
  const { configure } = await import('safe-stable-stringify');
  const { createHash } = await import('node:crypto');
  const canonical = configure({ deterministic: true, bigint: true });
  const pairs = (o: Record<string, string>): [string, string][] =>
    Object.keys(o)
      .sort()
      .map((k): [string, string] => [k, o[k] as string]);
  const expected = (p: Parameters<typeof decisionCacheKey>[0]): string =>
    createHash('sha256')
      .update(
        canonical({
          v: 1,
          revisions: pairs(p.revisions),
          digests: p.digests ? pairs(p.digests) : [],
          path: p.path.replace(/^\/+|\/+$/g, ''),
          strict: p.strict === true,
          has_input: p.input !== undefined,
          input: p.input === undefined ? null : p.input,
        }) as string,
      )
      .digest('hex');
  const revisions = { b: 'rev "2"', a: 'r\u00e9v-1' };
  const digests = { a: 'sha-a', b: 'sha-b' };
  const cases: Parameters<typeof decisionCacheKey>[0][] = [
    { revisions, path: 'ai/tools/decision', input: { z: 1, a: [true, null, 'x'] } },
    { revisions, path: 'ai/tools/decision', input: { a: 2n ** 70n } },
    { revisions, path: '/ai/tools/decision/', input: undefined },
    { revisions, path: 'ai/tools/decision', input: null, strict: true },
    { revisions, path: 'p/"quoted"/\\', input: 'text' },
    { revisions, digests, path: 'ai/tools/decision', input: { z: 1 } },
    { revisions, digests: { ...digests }, path: 'ai/tools/decision', input: { z: 1 } },
    { revisions, path: 'ai/tools/decision', input: { z: 1, a: [true, null, 'x'] } },
    { revisions: {}, path: '', input: 0 },
  ];
  for (const c of cases)
    t.equal(
      decisionCacheKey(c),
      expected(c),
      JSON.stringify(c, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
    );
  // More paths and flags than one snapshot keeps frames for (it starts over): each key, and
  // each again after the start-over, is still the whole material's.
  const many: Parameters<typeof decisionCacheKey>[0][] = [];
  for (let i = 0; i < 300; i++) many.push({ revisions, path: `/p/${i}/`, input: i % 2 === 0 ? { i } : undefined, strict: i % 3 === 0 });
  let wrong = 0;
  for (const c of [...many, ...many]) if (decisionCacheKey(c) !== expected(c)) wrong++;
  t.equal(wrong, 0, '600 keys over 300 paths');
});
