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
