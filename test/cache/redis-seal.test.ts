// The Redis tier's key derivation and value sealing (src/cache/redis-seal.ts).
import t from 'tap';
import { RedisSeal } from '../../src/cache/redis-seal.js';

const sealer = new RedisSeal('a-secret-of-the-configuration');
const redisKeyOf = (k: string): string => sealer.keysOf(k).redisKey;
const seal = (k: string, text: string): string => sealer.seal(sealer.keysOf(k), text);
const unseal = (k: string, text: string): string | undefined => sealer.unseal(sealer.keysOf(k), text);

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
  t.equal(unseal('k1', 's3.AAAA'), undefined, 'too short');
  t.equal(unseal('k1', `s3.${Buffer.alloc(40).toString('base64')}`), undefined, 'garbage');
  t.equal(unseal('k1', seal('k1', '')), '', 'an empty text round-trips');
});

t.test('the secret: without it a value cannot be forged, nor its key found', async (t) => {
  const other = new RedisSeal('another-secret-entirely');
  t.not(other.keysOf('k1').redisKey, redisKeyOf('k1'), 'the Redis key depends on the secret');
  t.equal(unseal('k1', other.seal(other.keysOf('k1'), '{"allow":true}')), undefined, 'a value sealed with another secret is refused');
  const a = RedisSeal.random();
  const b = RedisSeal.random();
  t.not(a.keysOf('k1').redisKey, b.keysOf('k1').redisKey, 'random secrets differ per process');
});
