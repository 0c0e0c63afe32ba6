// The AuthZEN routes behind caller authentication: decide:authzen for evaluations,
// search:authzen for searches (a key for one is refused the other), the metadata open; 401 and
// 403 keep the one error shape and still echo X-Request-ID.
import t from 'tap';
import { makeApiKeys, bearer } from '../helpers/auth.js';
import { EVALUATION, EVALUATIONS, SEARCH_ACTION, SEARCH_RESOURCE, SEARCH_SUBJECT, WELL_KNOWN, startAuthzen } from '../helpers/authzen.js';

const { keys, env } = makeApiKeys({ pep: ['decide:authzen'], lister: ['search:authzen'], other: ['decide:tool-call'] });
const pdp = await startAuthzen({ env: { PDP_AUTH_API_KEYS: env } });
t.teardown(() => pdp.close());

const evaluation = { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } };
const search = { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record' } };

t.test('decide:authzen answers evaluations, not searches; search:authzen the other way round', async (t) => {
  for (const path of [EVALUATION, EVALUATIONS]) {
    t.equal((await pdp.post(path, evaluation, bearer(keys.pep!))).status, 200, `${path} with decide:authzen`);
    t.equal((await pdp.post(path, evaluation, bearer(keys.lister!))).status, 403, `${path} with search:authzen`);
  }
  for (const path of [SEARCH_SUBJECT, SEARCH_RESOURCE, SEARCH_ACTION]) {
    const body =
      path === SEARCH_ACTION
        ? { subject: search.subject, resource: { type: 'record', id: 'record-1' } }
        : path === SEARCH_SUBJECT
          ? { ...search, resource: { type: 'record', id: 'record-1' } }
          : search;
    t.equal((await pdp.post(path, body, bearer(keys.lister!))).status, 200, `${path} with search:authzen`);
    t.equal((await pdp.post(path, body, bearer(keys.pep!))).status, 403, `${path} with decide:authzen`);
  }
  t.equal((await pdp.post(EVALUATION, evaluation, bearer(keys.other!))).status, 403, 'decide:tool-call is not decide:authzen');
});

t.test('401 and 403 are the one error shape and echo X-Request-ID; the metadata is open', async (t) => {
  const none = await pdp.post(EVALUATION, evaluation, { 'x-request-id': 'rid-401' });
  t.equal(none.status, 401);
  t.match(none.json, { error: { code: 'UNAUTHENTICATED' } });
  t.equal(none.headers['x-request-id'], 'rid-401');
  const wrong = await pdp.post(EVALUATION, evaluation, { ...bearer(keys.lister!), 'x-request-id': 'rid-403' });
  t.equal(wrong.status, 403);
  t.match(wrong.json, { error: { code: 'FORBIDDEN' } });
  t.equal(wrong.headers['x-request-id'], 'rid-403');
  t.equal((await pdp.get(WELL_KNOWN)).status, 200, 'no credentials needed for the metadata');
});
