// HMAC-SHA512 over one-shot hashes (src/cache/hmac-sha512.ts) must give createHmac's digests, for
// every key length (shorter than, equal to and longer than the block) and message (empty,
// non-ASCII, past the reused buffer), and RFC 4231's test vectors.
import { createHmac, randomBytes } from 'node:crypto';
import t from 'tap';
import { HmacSha512 } from '../../src/cache/hmac-sha512.js';

const hex = (h: HmacSha512, m: string): string => h.bytes(m).toString('hex');

t.test("equal to createHmac's digest", async (t) => {
  const messages = ['', 'a', 'pdp-cache/s3\0' + 'f'.repeat(64), 'é—\u{1F600}\ud800', 'x'.repeat(340), 'y'.repeat(341), 'z'.repeat(5000)];
  const keyLengths = [0, 1, 20, 32, 64, 127, 128, 129, 200];
  let checked = 0;
  for (const keyLength of keyLengths) {
    const key = randomBytes(keyLength);
    const h = new HmacSha512(key);
    for (const m of messages) {
      if (!h.bytes(m).equals(createHmac('sha512', key).update(m, 'utf8').digest())) t.fail(`key of ${keyLength} bytes, message of ${m.length} characters`);
      else checked++;
    }
  }
  t.equal(checked, keyLengths.length * messages.length, 'every key length and message');
});

t.test('calls in a row do not see each other (the buffers are reused)', async (t) => {
  const key = Buffer.from('k');
  const h = new HmacSha512(key);
  const long = hex(h, 'a much longer message than the next one');
  t.equal(hex(h, 'short'), createHmac('sha512', key).update('short').digest('hex'));
  t.equal(hex(h, 'a much longer message than the next one'), long);
});

t.test('RFC 4231 test cases 1, 2 and 6', async (t) => {
  t.equal(
    hex(new HmacSha512(Buffer.alloc(20, 0x0b)), 'Hi There'),
    '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
  );
  t.equal(
    hex(new HmacSha512(Buffer.from('Jefe')), 'what do ya want for nothing?'),
    '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
  );
  t.equal(
    hex(new HmacSha512(Buffer.alloc(131, 0xaa)), 'Test Using Larger Than Block-Size Key - Hash Key First'),
    '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
  );
});

t.test("the key is copied: changing the caller's buffer later changes nothing", async (t) => {
  const key = Buffer.from('secret');
  const h = new HmacSha512(key);
  const before = hex(h, 'm');
  key.fill(0);
  t.equal(hex(h, 'm'), before);
  t.equal(hex(h, 'z'.repeat(5000)), createHmac('sha512', Buffer.from('secret')).update('z'.repeat(5000)).digest('hex'), 'the fallback too');
});
