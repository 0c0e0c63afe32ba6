// The Redis tier's key derivation and value sealing (src/cache/redis-seal.ts).
import t from 'tap';
import { redisKeyOf, seal, unseal } from '../../src/cache/redis-seal.js';

t.test('keys: a stable, one-way digest per cache key', async (t) => {
  t.equal(redisKeyOf('k1'), redisKeyOf('k1'), 'every replica derives the same key');
  t.not(redisKeyOf('k1'), redisKeyOf('k2'));
  t.match(redisKeyOf('k1'), /^[0-9a-f]{64}$/);
});

t.test('values: sealed with a fresh IV, opened only with the same cache key', async (t) => {
  const a = seal('k1', '{"allow":true}');
  const b = seal('k1', '{"allow":true}');
  t.not(a, b, 'a fresh IV each time');
  t.equal(unseal('k1', a), '{"allow":true}');
  t.equal(unseal('k2', a), undefined, 'another key does not open it');
  t.equal(unseal('k1', '{"allow":true}'), undefined, 'not sealed');
  t.equal(unseal('k1', 's1.AAAA'), undefined, 'too short');
  t.equal(unseal('k1', `s1.${Buffer.alloc(40).toString('base64')}`), undefined, 'garbage');
  t.equal(unseal('k1', seal('k1', '')), '', 'an empty text round-trips');
});
