// GET /.well-known/authzen-configuration: every endpoint the service serves under the PDP
// identifier (configured, else the scheme and host the request was sent to), open to PEPs before
// they authenticate; the routes are in /openapi.json.
import t from 'tap';
import { send } from '../helpers/http.js';
import { WELL_KNOWN, startAuthzen } from '../helpers/authzen.js';

t.test('derived from the request: the scheme and host it was sent to', async (t) => {
  const pdp = await startAuthzen();
  t.teardown(() => pdp.close());
  const r = await pdp.get(WELL_KNOWN);
  t.equal(r.status, 200);
  t.match(r.headers['content-type'], /^application\/json/);
  const base = pdp.url;
  t.same(r.json, {
    policy_decision_point: base,
    access_evaluation_endpoint: `${base}/access/v1/evaluation`,
    access_evaluations_endpoint: `${base}/access/v1/evaluations`,
    search_subject_endpoint: `${base}/access/v1/search/subject`,
    search_resource_endpoint: `${base}/access/v1/search/resource`,
    search_action_endpoint: `${base}/access/v1/search/action`,
  });
  t.notOk('capabilities' in (r.json as object), 'no registered capability: the parameter is omitted');
  t.equal((await send(`${base}${WELL_KNOWN}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status, 405);
});

t.test('PDP_AUTHZEN_PDP_URL names the identifier (a trailing slash is dropped)', async (t) => {
  const pdp = await startAuthzen({ env: { PDP_AUTHZEN_PDP_URL: 'https://pdp.example.com/' } });
  t.teardown(() => pdp.close());
  const r = await pdp.get(WELL_KNOWN, { host: 'evil.example' });
  t.match(r.json, { policy_decision_point: 'https://pdp.example.com', access_evaluation_endpoint: 'https://pdp.example.com/access/v1/evaluation' });
  for (const v of Object.values(r.json as Record<string, string>))
    t.match(v, /^https:\/\/pdp\.example\.com(\/|$)/, 'every URL under the identifier, whatever the Host header');
});
