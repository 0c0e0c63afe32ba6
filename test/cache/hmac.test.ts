// HMAC over one-shot hashes (src/cache/hmac.ts), SHA-256 and SHA-512, must give createHmac's
// digests, for every key length (shorter than, equal to and longer than the block) and message
// (empty, non-ASCII, past the reused buffer), and RFC 4231's test vectors.
import { createHmac, randomBytes } from 'node:crypto';
import t from 'tap';
import { Hmac, type HmacAlgorithm } from '../../src/cache/hmac.js';

const HmacSha256 = (key: Buffer): Hmac => new Hmac('sha256', key);

t.test("equal to createHmac's digest", async (t) => {
  const messages = ['', 'a', 'pdp-cache/s3\0' + 'f'.repeat(64), 'é—\u{1F600}\ud800', 'x'.repeat(340), 'y'.repeat(341), 'z'.repeat(5000)];
  const keyLengths = [0, 1, 20, 32, 63, 64, 65, 100, 127, 128, 129, 200];
  for (const algorithm of ['sha256', 'sha512'] as HmacAlgorithm[]) {
    let checked = 0;
    for (const keyLength of keyLengths) {
      const key = randomBytes(keyLength);
      const h = new Hmac(algorithm, key);
      for (const m of messages) {
        const want = createHmac(algorithm, key).update(m, 'utf8').digest();
        if (h.hex(m) !== want.toString('hex') || !h.bytes(m).equals(want)) t.fail(`${algorithm}: key of ${keyLength} bytes, message of ${m.length} characters`);
        else checked++;
      }
    }
    t.equal(checked, keyLengths.length * messages.length, `${algorithm}: every key length and message`);
  }
});

t.test('calls in a row do not see each other (the buffers are reused)', async (t) => {
  const key = Buffer.from('k');
  const h = HmacSha256(key);
  const long = h.hex('a much longer message than the next one');
  t.equal(h.hex('short'), createHmac('sha256', key).update('short').digest('hex'));
  t.equal(h.hex('a much longer message than the next one'), long);
});

t.test('RFC 4231 test cases 1, 2 and 6 (SHA-256), 2 (SHA-512)', async (t) => {
  t.equal(
    new Hmac('sha512', Buffer.from('Jefe')).hex('what do ya want for nothing?'),
    '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
  );
  t.equal(HmacSha256(Buffer.alloc(20, 0x0b)).hex('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
  t.equal(HmacSha256(Buffer.from('Jefe')).hex('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  t.equal(
    HmacSha256(Buffer.alloc(131, 0xaa)).hex('Test Using Larger Than Block-Size Key - Hash Key First'),
    '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  );
});

t.test("the key is copied: changing the caller's buffer later changes nothing", async (t) => {
  const key = Buffer.from('secret');
  const h = HmacSha256(key);
  const before = h.hex('m');
  key.fill(0);
  t.equal(h.hex('m'), before);
  t.equal(h.hex('z'.repeat(5000)), createHmac('sha256', Buffer.from('secret')).update('z'.repeat(5000)).digest('hex'), 'the fallback too');
});
