// The audited caller is the authenticated identity: the decision record (every sink and
// GET /v1/decisions/{id}) keeps the verified caller, how it authenticated and the peer address;
// the on-behalf-of header is kept as an assertion only from callers with scope
// assert:on-behalf-of, and a spoofed header from anyone else is recorded as ignored — never as
// the caller.
import t, { type Test } from 'tap';
import { bearer, call, makeApiKeys, type HttpResult } from '../helpers/auth.js';
import { startPdp, testBundle, toolCall, writeBundle } from '../helpers/pdp-harness.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'pdp-caller-'));
await writeBundle(dir, testBundle({ revision: 'r1' }));
const { keys, env } = makeApiKeys({
  agent: ['decide:tool-call', 'data:read:ai/tools'],
  gateway: ['decide:tool-call', 'assert:on-behalf-of'],
  auditor: ['decisions:read'],
});

const post = (url: string, path: string, body: unknown, headers: Record<string, string>): Promise<HttpResult> =>
  call(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

t.test('with authentication: verified caller recorded; the header only as an assertion of a gateway', async (t) => {
  const pdp = await startPdp({ bundleDir: dir, env: { PDP_AUTH_API_KEYS: env } });
  t.teardown(() => pdp.close());
  const spoof = await post(pdp.url, '/v1/decisions/tool-call', toolCall('read_file'), { ...bearer(keys.agent!), 'x-pdp-caller': 'u-admin' });
  const asserted = await post(pdp.url, '/v1/decisions/tool-call', toolCall('read_file'), { ...bearer(keys.gateway!), 'x-pdp-caller': '  u-17  ' });
  const plain = await post(pdp.url, '/v1/data/ai/tools/allow', { input: toolCall('read_file') }, { ...bearer(keys.agent!), 'x-pdp-caller': 'x'.repeat(1000) });
  for (const r of [spoof, asserted, plain]) t.equal(r.status, 200, r.text);
  await new Promise((r) => setTimeout(r, 100));
  const byId = async (r: HttpResult): Promise<Record<string, unknown>> =>
    (await call(`${pdp.url}/v1/decisions/${(r.json as { decision_id: string }).decision_id}`, { headers: bearer(keys.auditor!) })).json as Record<
      string,
      unknown
    >;
  const line = (r: HttpResult): Record<string, unknown> | undefined =>
    pdp.stdout.find((l) => l.decision_id === (r.json as { decision_id: string }).decision_id);

  for (const rec of [await byId(spoof), line(spoof)]) {
    t.match(
      rec,
      { caller: 'agent', caller_auth: 'api_key', peer_address: '127.0.0.1', ignored_on_behalf_of: 'u-admin' },
      'a spoofed header is evidence, not identity',
    );
    t.notOk(rec?.on_behalf_of, 'no on_behalf_of from a caller without assert:on-behalf-of');
  }
  for (const rec of [await byId(asserted), line(asserted)]) {
    t.match(
      rec,
      { caller: 'gateway', caller_auth: 'api_key', peer_address: '127.0.0.1', on_behalf_of: { id: 'u-17', asserted: true } },
      'a gateway asserts the user',
    );
    t.notOk(rec && 'ignored_on_behalf_of' in rec);
  }
  const data = await byId(plain);
  t.equal(data.caller, 'agent', 'Data API decisions record the caller too');
  t.equal((data.ignored_on_behalf_of as string).length, 256, 'caller-supplied text is bounded');
});

t.test('authentication off (the loopback default): no caller, the peer address, the header marked asserted', async (t) => {
  const pdp = await startPdp({ bundleDir: dir });
  t.teardown(() => pdp.close());
  const none = await post(pdp.url, '/v1/decisions/tool-call', toolCall('read_file'), {});
  const header = await post(pdp.url, '/v1/decisions/tool-call', toolCall('read_file'), { 'x-pdp-caller': 'agent-runtime-7' });
  await new Promise((r) => setTimeout(r, 100));
  const rec = async (r: HttpResult): Promise<Record<string, unknown>> =>
    (await call(`${pdp.url}/v1/decisions/${(r.json as { decision_id: string }).decision_id}`)).json as Record<string, unknown>;
  const a = await rec(none);
  t.match(a, { caller: null, caller_auth: 'none', peer_address: '127.0.0.1' });
  t.notOk('on_behalf_of' in a);
  const b = await rec(header);
  t.match(b, { caller: null, caller_auth: 'none', on_behalf_of: { id: 'agent-runtime-7', asserted: true } }, 'the header is never the caller');
});

/** The stdout record of one tool call sent with `headers` to a PDP started with `env`. */
async function recordWith(t: Test, env: Record<string, string>, headers: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  const pdp = await startPdp({ bundleDir: dir, env });
  t.teardown(() => pdp.close());
  const r = await post(pdp.url, '/v1/decisions/tool-call', toolCall('read_file'), headers);
  await new Promise((res) => setTimeout(res, 100));
  return pdp.stdout.find((l) => l.decision_id === (r.json as { decision_id: string }).decision_id);
}

t.test('an empty caller header setting ignores the header altogether', async (t) => {
  const rec = await recordWith(t, { PDP_DECISION_LOG_CALLER_HEADER: '' }, { 'x-pdp-caller': 'agent-runtime-7' });
  t.ok(rec);
  t.notOk(rec && ('on_behalf_of' in rec || 'ignored_on_behalf_of' in rec));
});

t.test('a caller header configured in mixed case matches the header in any case', async (t) => {
  const rec = await recordWith(t, { PDP_DECISION_LOG_CALLER_HEADER: 'X-Acting-For' }, { 'X-ACTING-FOR': 'agent-runtime-9' });
  t.match(rec, { on_behalf_of: { id: 'agent-runtime-9', asserted: true } });
});
