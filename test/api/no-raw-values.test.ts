// Issue 12, "values still leak through reason messages": through a real listening server on the
// embedded policies/, tool calls whose every reported field carries a marker (recipients, paths,
// currency, SQL, URL, payload, tool/server/agent/environment names, the user id) are denied by
// their controls, and neither the reasons nor the obligations of the answer contain the marker.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/shared/package-root.js';
import { postJson } from '../helpers/http.js';
import { startReal } from '../helpers/real-server.js';

const s = await startReal();
t.teardown(() => s.close());

const MARKER = 'zq7marker';
const example = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(packageRoot, 'examples/tool-call', file), 'utf8')) as Record<string, unknown>;
const withArgs = (file: string, args: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...example(file), arguments: args, ...extra });

interface Answer {
  allow: boolean;
  reasons: { code: string; control: string; message: string }[];
  obligations: unknown[];
}

const CASES: [name: string, body: Record<string, unknown>, code: string][] = [
  [
    'recipients',
    withArgs('email-to-external-domain.deny.json', { to: [`${MARKER}.jane@attacker.example.net`, `Jane ${MARKER} <j@example.com>`], body: 'hi' }),
    'RECIPIENT_DOMAIN_NOT_ALLOWED',
  ],
  ['path outside the roots', withArgs('path-traversal.deny.json', { path: `/etc/${MARKER}/shadow` }), 'PATH_NOT_ALLOWED'],
  ['path traversal', withArgs('path-traversal.deny.json', { path: `/workspace/../${MARKER}` }), 'PATH_NOT_ALLOWED'],
  ['currency', withArgs('refund-auto-approved.allow.json', { amount: 10, currency: MARKER, order_id: 'o-1' }), 'INVALID_AMOUNT'],
  ['SQL', withArgs('sql-delete-by-analyst.deny.json', { query: `DELETE FROM ${MARKER} WHERE email = '${MARKER}@example.com'` }), 'WRITE_NOT_PERMITTED'],
  [
    'webhook URL and payload',
    withArgs('pii-to-webhook.deny.json', { url: `https://hooks.partner.example.org/x?token=${MARKER}`, payload: { note: `${MARKER} jane.doe@othercorp.com` } }),
    'PII_EGRESS',
  ],
  ['unknown tool', { ...example('unknown-tool.deny.json'), tool: { name: `${MARKER}-tool`, server: `${MARKER}-server` } }, 'UNKNOWN_TOOL'],
  ['shadowing server', { ...example('support-email.allow.json'), tool: { name: 'send_email', server: `${MARKER}-server` } }, 'UNKNOWN_TOOL'],
  [
    'agent, environment, trust level and user',
    {
      ...example('support-email.allow.json'),
      agent: { id: `${MARKER}-agent`, trust_level: MARKER, environment: MARKER },
      user: { id: `${MARKER}@corp.example.com`, roles: ['marketing'] },
    },
    'ROLE_NOT_PERMITTED',
  ],
];

for (const [name, body, code] of CASES) {
  t.test(`${name}: denied (${code}) without echoing the value`, async (t) => {
    const r = await postJson(`${s.url}/v1/decisions/tool-call`, body);
    t.equal(r.status, 200, r.text.slice(0, 300));
    const a = r.json as Answer;
    t.equal(a.allow, false);
    t.ok(
      a.reasons.some((x) => x.code === code),
      `${code} among ${a.reasons.map((x) => x.code).join(', ')}`,
    );
    const shown = JSON.stringify([a.reasons, a.obligations]).toLowerCase();
    t.notOk(shown.includes(MARKER), `no ${MARKER} in ${shown}`);
  });
}
