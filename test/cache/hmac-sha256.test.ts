// HMAC-SHA256 over one-shot hashes (src/cache/hmac-sha256.ts) must give createHmac's digests,
// for every key length (shorter than, equal to and longer than the block) and message (empty,
// non-ASCII, past the reused buffer), and RFC 4231's test vectors.
import { createHmac, randomBytes } from 'node:crypto';
import t from 'tap';
import { HmacSha256 } from '../../src/cache/hmac-sha256.js';

t.test("equal to createHmac's digest", async (t) => {
  const messages = ['', 'a', 'pdp-cache/redis-key\0' + 'f'.repeat(64), 'é—\u{1F600}\ud800', 'x'.repeat(340), 'y'.repeat(341), 'z'.repeat(5000)];
  let checked = 0;
  for (const keyLength of [0, 1, 20, 32, 63, 64, 65, 100, 200]) {
    const key = randomBytes(keyLength);
    const h = new HmacSha256(key);
    for (const m of messages) {
      const want = createHmac('sha256', key).update(m, 'utf8').digest();
      if (h.hex(m) !== want.toString('hex') || !h.bytes(m).equals(want)) t.fail(`key of ${keyLength} bytes, message of ${m.length} characters`);
      else checked++;
    }
  }
  t.equal(checked, 9 * messages.length, 'every key length and message');
});

t.test('calls in a row do not see each other (the buffers are reused)', async (t) => {
  const key = Buffer.from('k');
  const h = new HmacSha256(key);
  const long = h.hex('a much longer message than the next one');
  t.equal(h.hex('short'), createHmac('sha256', key).update('short').digest('hex'));
  t.equal(h.hex('a much longer message than the next one'), long);
});

t.test('RFC 4231 test cases 1, 2 and 6', async (t) => {
  t.equal(new HmacSha256(Buffer.alloc(20, 0x0b)).hex('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
  t.equal(new HmacSha256(Buffer.from('Jefe')).hex('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  t.equal(
    new HmacSha256(Buffer.alloc(131, 0xaa)).hex('Test Using Larger Than Block-Size Key - Hash Key First'),
    '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  );
});

t.test("the key is copied: changing the caller's buffer later changes nothing", async (t) => {
  const key = Buffer.from('secret');
  const h = new HmacSha256(key);
  const before = h.hex('m');
  key.fill(0);
  t.equal(h.hex('m'), before);
  t.equal(h.hex('z'.repeat(5000)), createHmac('sha256', Buffer.from('secret')).update('z'.repeat(5000)).digest('hex'), 'the fallback too');
});
