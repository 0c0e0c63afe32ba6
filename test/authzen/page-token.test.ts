// Page tokens on their own (src/authzen/page-token.ts): what a holder of a valid token can and
// cannot change. With the key, a token is bound to its search and request digest; without it,
// nothing about a token can be altered.
import t from 'tap';
import { createHmac } from 'node:crypto';
import { PageTokens } from '../../src/authzen/page-token.js';

const KEY = 'k'.repeat(32);
const tokens = new PageTokens(KEY);
const body = { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'doc', id: 'd' }, page: { limit: 2 } };
const digest = PageTokens.requestDigest('subject', body);

/** A token as only the key holder could make it, with any payload. */
function signed(payload: unknown): string {
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${p}.${createHmac('sha256', KEY).update(p).digest('base64url')}`;
}

t.test('a token round-trips its offset for the same search and request', async (t) => {
  t.same(tokens.check(tokens.issue('subject', digest, 7), 'subject', digest), { ok: true, offset: 7 });
});

t.test('the digest ignores the token itself and nothing else', async (t) => {
  t.equal(PageTokens.requestDigest('subject', { ...body, page: { limit: 2, token: 'abc' } }), digest);
  t.not(PageTokens.requestDigest('subject', { ...body, page: { limit: 3 } }), digest);
  t.not(PageTokens.requestDigest('resource', body), digest);
  t.not(PageTokens.requestDigest('subject', { ...body, context: {} }), digest);
  t.equal(
    PageTokens.requestDigest('subject', { page: body.page, resource: body.resource, action: body.action, subject: body.subject }),
    digest,
    'key order does not matter',
  );
});

t.test('well-signed but malformed payloads are refused', async (t) => {
  const cases: [string, string, RegExp][] = [
    [
      'not JSON',
      `${Buffer.from('{').toString('base64url')}.${createHmac('sha256', KEY).update(Buffer.from('{').toString('base64url')).digest('base64url')}`,
      /not a page token/,
    ],
    ['another version', signed({ v: 2, t: 'subject', d: digest, o: 1 }), /another search/],
    ['another search', signed({ v: 1, t: 'action', d: digest, o: 1 }), /another search/],
    ['another digest', signed({ v: 1, t: 'subject', d: 'x', o: 1 }), /other request parameters/],
    ['a negative offset', signed({ v: 1, t: 'subject', d: digest, o: -1 }), /offset/],
    ['a fractional offset', signed({ v: 1, t: 'subject', d: digest, o: 1.5 }), /offset/],
    ['a huge offset', signed({ v: 1, t: 'subject', d: digest, o: 1e9 }), /offset/],
    ['a string offset', signed({ v: 1, t: 'subject', d: digest, o: '1' }), /offset/],
  ];
  for (const [name, token, reason] of cases) {
    const r = tokens.check(token, 'subject', digest);
    t.equal(r.ok, false, name);
    if (!r.ok) t.match(r.reason, reason, name);
  }
});

t.test('without the key: another key, no dot, a leading dot', async (t) => {
  const mine = tokens.issue('subject', digest, 1);
  t.equal(new PageTokens('z'.repeat(32)).check(mine, 'subject', digest).ok, false, 'another key');
  t.equal(new PageTokens('').check(mine, 'subject', digest).ok, false, 'a random key');
  t.equal(tokens.check('nodot', 'subject', digest).ok, false);
  t.equal(tokens.check('.abc', 'subject', digest).ok, false);
});
