// OPA-style authorization (auth.authorization = "policy") through a real server: the bundle's
// data.system.authz.allow decides each request from an input shaped like OPA's (method, path as
// an array, params, headers without credentials, identity, client_certificates, body) plus auth
// and scopes; only `true` allows; undefined, an evaluation error or no active bundle refuse.
import t from 'tap';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../helpers/config.js';
import { writeBundle } from '../helpers/real-server.js';
import { bearer, call, makeApiKeys, refusalReason, type HttpResult } from '../helpers/auth.js';

const bundleDir = writeBundle({
  '.manifest': JSON.stringify({ revision: 'r1', roots: ['ai', 'system'] }),
  'ai/tools/policy.rego': 'package ai.tools\n\ndecision := {"allow": true, "reasons": [], "obligations": [], "exceptions_applied": []}\n',
  'system/authz/authz.rego': `package system.authz

default allow := false

# An agent may ask only about itself: the policy reads the body.
allow if {
	input.method == "POST"
	input.path == ["v1", "decisions", "tool-call"]
	"decide:tool-call" in input.scopes
	input.body.agent.id == input.identity
}

# Status for the platform team's key, only with their header, never seeing credentials.
allow if {
	input.method == "GET"
	input.path == ["v1", "status"]
	input.identity == "ops"
	input.auth == "api_key"
	input.headers["x-team"] == "platform"
	input.params.verbose == ["1"]
	not input.headers.authorization
	count(input.client_certificates) == 0
}

# An evaluation error (two values for one complete rule) must refuse, not allow.
boom := 1 if input.path[2] == "boom"

boom := 2 if input.path[2] == "boom"

allow if {
	input.path[2] == "boom"
	boom == 1
}
`,
});

const { keys, env } = makeApiKeys({ 'support-bot': ['decide:tool-call'], ops: [] });

async function start(extra: Record<string, string>): Promise<RunningServer> {
  const s = await startServer(testConfig({ PDP_BUNDLE_WATCH: 'false', PDP_BUNDLE_NAME: 'test', PDP_AUTH_AUTHORIZATION: 'policy', ...extra }));
  t.teardown(() => s.close());
  return s;
}
const reason = refusalReason;

t.test('the policy decides, from identity, scopes, path, params, headers and body', async (t) => {
  const s = await start({ PDP_BUNDLE_PATH: bundleDir, PDP_AUTH_API_KEYS: env });
  const decide = (key: string, agent: string): Promise<HttpResult> =>
    call(`${s.url}/v1/decisions/tool-call`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: JSON.stringify({ agent: { id: agent }, tool: { name: 'x' } }),
    });
  t.equal((await decide(keys['support-bot']!, 'support-bot')).status, 200, 'an agent about itself');
  const other = await decide(keys['support-bot']!, 'billing-bot');
  t.equal(other.status, 403, 'an agent about another agent');
  t.equal(reason(other), 'policy_denied');
  t.equal((await decide(keys.ops!, 'ops')).status, 403, 'no decide:tool-call scope');
  t.equal(
    (await call(`${s.url}/v1/decisions/tool-call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
    401,
    'authentication still comes first',
  );

  const statusAs = (headers: Record<string, string>, q = '?verbose=1'): Promise<HttpResult> => call(`${s.url}/v1/status${q}`, { headers });
  t.equal((await statusAs({ ...bearer(keys.ops!), 'x-team': 'platform' })).status, 200, 'ops with the header');
  t.equal((await statusAs({ ...bearer(keys.ops!) })).status, 403, 'without the header: undefined → deny');
  t.equal((await statusAs({ ...bearer(keys.ops!), 'x-team': 'platform' }, '')).status, 403, 'params are an input');
  t.equal((await call(`${s.url}/v1/data/ai/boom`, { headers: bearer(keys.ops!) })).status, 403, 'an evaluation error refuses');
  t.equal((await call(`${s.url}/v1/data/ai/tools/decision`, { headers: bearer(keys['support-bot']!) })).status, 403, 'no rule: deny');
  t.equal((await call(`${s.url}/health`)).status, 200, '/health stays open');
});

t.test('no active bundle: the policy cannot decide, so 503 (fail closed)', async (t) => {
  const s = await start({ PDP_BUNDLE_PATH: '/nonexistent/pdp-bundle', PDP_AUTH_API_KEYS: env });
  const r = await call(`${s.url}/v1/pdp/status?verbose=1`, { headers: { ...bearer(keys.ops!), 'x-team': 'platform' } });
  t.equal(r.status, 503);
  t.match(r.json, { error: { code: 'AUTH_UNAVAILABLE' } });
  t.equal(reason(r), 'policy_unavailable');
});

t.test('without authentication (loopback), the policy still decides; identity is absent', async (t) => {
  const s = await start({ PDP_BUNDLE_PATH: bundleDir });
  t.equal((await call(`${s.url}/v1/status?verbose=1`, { headers: { 'x-team': 'platform' } })).status, 403, 'no identity: the ops rule does not match');
  t.equal((await call(`${s.url}/ready`)).status, 200);
});
