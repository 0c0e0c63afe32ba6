// Issue 12, "PII egress control bypassed by nesting": through a real listening server on the
// embedded policies/, personal data in the arguments of an external tool is found at any depth
// (the example under payload.l1.l2.l3, depth 6, depth 20, inside arrays), and arguments too large
// to scan are denied (PII_SCAN_LIMIT), never sent unscanned.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/shared/package-root.js';
import { postJson } from '../helpers/http.js';
import { startReal } from '../helpers/real-server.js';

const s = await startReal();
t.teardown(() => s.close());

interface Answer {
  allow: boolean;
  reasons: { code: string; control: string; message: string }[];
  obligations: { type: string; paths?: string[]; kinds?: string[] }[];
}

const example = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(packageRoot, 'examples/tool-call', file), 'utf8')) as Record<string, unknown>;

/** `leaf` under `depth - 1` levels of {"l": …} (the leaf itself is the last level). */
function nested(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 1; i < depth; i++) v = { l: v };
  return v;
}

/** The webhook call of examples/tool-call/pii-to-webhook.deny.json with another payload. */
function webhook(payload: unknown): Record<string, unknown> {
  const base = example('pii-to-webhook.deny.json');
  return { ...base, arguments: { ...(base.arguments as Record<string, unknown>), payload } };
}

async function decide(body: unknown): Promise<Answer> {
  const r = await postJson(`${s.url}/v1/decisions/tool-call`, body);
  if (r.status !== 200) throw new Error(`expected a decision, got ${r.status}: ${r.text.slice(0, 300)}`);
  return r.json as Answer;
}

const pii = (a: Answer) => a.reasons.filter((x) => x.control === 'AGT-PII-01');

t.test('the pii-to-webhook example, and the same values under payload.l1.l2.l3, are both denied', async (t) => {
  const flat = await decide(example('pii-to-webhook.deny.json'));
  t.same(
    pii(flat).map((x) => x.code),
    ['PII_EGRESS'],
  );
  const deep = await decide(example('pii-nested-to-webhook.deny.json'));
  t.equal(deep.allow, false);
  t.same(pii(deep), [
    {
      code: 'PII_EGRESS',
      control: 'AGT-PII-01',
      message:
        'personal data (email_address, payment_card) in arguments.payload.l1.l2.l3.card, arguments.payload.l1.l2.l3.customer_email may not be sent to external tool post_webhook',
    },
  ]);
});

for (const depth of [6, 20]) {
  t.test(`a card number at depth ${depth} of the payload is denied`, async (t) => {
    const a = await decide(webhook(nested(depth, 'card 4111 1111 1111 1111')));
    t.equal(a.allow, false);
    const path = 'arguments.payload' + '.l'.repeat(depth - 1);
    t.same(
      pii(a).map((x) => [x.code, x.message]),
      [['PII_EGRESS', `personal data (payment_card) in ${path} may not be sent to external tool post_webhook`]],
    );
  });
}

t.test('an e-mail address at depth 20 of an e-mail argument is to be redacted at its path', async (t) => {
  const body = { ...example('support-email.allow.json') };
  body.arguments = { ...(body.arguments as Record<string, unknown>), meta: nested(20, ['ok', 'reach me at jane.doe@othercorp.com']) };
  const a = await decide(body);
  t.equal(a.allow, true, JSON.stringify(a.reasons));
  t.same(
    a.obligations.filter((o) => o.type === 'redact'),
    [{ type: 'redact', control: 'AGT-PII-01', paths: ['arguments.meta' + '.l'.repeat(19) + '[1]'], kinds: ['email_address'] }],
  );
});

t.test('arguments larger than the scan bound are denied unscanned', async (t) => {
  // config/pii scan_limits.max_strings is 2000: 2001 strings in the payload (plus the url).
  const many = await decide(webhook({ rows: Array.from({ length: 2001 }, (_, i) => `row ${i}`) }));
  t.equal(many.allow, false);
  t.same(
    pii(many).map((x) => x.code),
    ['PII_SCAN_LIMIT'],
  );
  t.match(pii(many)[0]?.message, /hold 2002 string values .* more than the personal-data scan covers \(2000 values, 262144 characters\)/);

  // scan_limits.max_characters is 262144: one long string over it.
  const long = await decide(webhook({ note: 'x'.repeat(262144) }));
  t.same(
    pii(long).map((x) => x.code),
    ['PII_SCAN_LIMIT'],
  );
  t.notOk(JSON.stringify(long.reasons).includes('xxxx'), 'the value is not echoed');

  // Under the bound, a large clean payload passes.
  const ok = await decide(webhook({ rows: Array.from({ length: 500 }, (_, i) => `row ${i}`) }));
  t.equal(ok.allow, true, JSON.stringify(ok.reasons));
});
