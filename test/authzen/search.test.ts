// Search answered from the policy: candidates named by the bundle, each re-evaluated, only the
// allowed ones returned (and each of them re-evaluates to true); paging with page.limit and
// signed page tokens to the last page (next_token ""); unknown types and ids give no results;
// the searched entity's id is ignored; a candidates document that fails is a 500, never a guess.
import t from 'tap';
import { configIssues } from '../helpers/config.js';
import { writeBundle } from '../helpers/real-server.js';
import { EVALUATION, SEARCH_ACTION, SEARCH_RESOURCE, SEARCH_SUBJECT, startAuthzen, type Decision } from '../helpers/authzen.js';

// 30 documents; a user may read the documents of their own parity (doc-0 … doc-29), admins all.
const bundleDir = writeBundle({
  '.manifest': JSON.stringify({ revision: 's-1', roots: ['authzen', 'broken'] }),
  'authzen/policy.rego': `package authzen

users := {"u-0": {"parity": 0}, "u-1": {"parity": 1}, "root": {"parity": 0, "admin": true}}

doc_number := to_number(substring(input.resource.id, 4, -1)) if startswith(input.resource.id, "doc-")

default allow := false

allow if {
  input.action.name == "read"
  input.resource.type == "document"
  users[input.subject.id].admin
  doc_number >= 0
}

allow if {
  input.action.name == "read"
  input.resource.type == "document"
  doc_number % 2 == users[input.subject.id].parity
}

allow if {
  input.action.name == "comment"
  input.resource.type == "document"
  input.context.weekday == true
  doc_number % 2 == users[input.subject.id].parity
}

decision := {"allow": allow}

candidates := {
  "subject": {"user": ["u-0", "u-1", "root", "ghost", 7, "", {"id": 3}]},
  "resource": {"document": [sprintf("doc-%d", [i]) | some i in numbers.range(0, 29)]},
  "action": {"document": ["read", "comment", "delete", "read"]},
}
`,
  'broken/policy.rego': `package broken

# Two values for one complete rule: a conflict error when evaluated.
candidates := {"subject": {"user": ["a"]}} if input.subject.type == "user"

candidates := {"subject": {"user": ["b"]}} if input.subject.type == "user"
`,
});

const pdp = await startAuthzen({ bundleDir });
t.teardown(() => pdp.close());

const u0 = { type: 'user', id: 'u-0' };
const read = { name: 'read' };
interface Page {
  page?: { next_token: string; count: number };
  results: { type?: string; id?: string; name?: string }[];
  context?: Record<string, unknown>;
}

async function allPages(path: string, body: Record<string, unknown>, limit: number): Promise<{ pages: Page[]; ids: string[] }> {
  const pages: Page[] = [];
  let token: string | undefined;
  for (let i = 0; i < 100; i++) {
    const r = await pdp.post(path, { ...body, page: { limit, ...(token !== undefined ? { token } : {}) } });
    if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
    const p = r.json as Page;
    pages.push(p);
    token = p.page?.next_token;
    if (!token) break;
  }
  return { pages, ids: pages.flatMap((p) => p.results.map((x) => x.id ?? x.name ?? '')) };
}

t.test('resource search pages through every allowed resource, ending with next_token ""', async (t) => {
  const { pages, ids } = await allPages(SEARCH_RESOURCE, { subject: u0, action: read, resource: { type: 'document' } }, 4);
  const even = Array.from({ length: 15 }, (_, i) => `doc-${i * 2}`);
  t.same(ids, even, 'the 15 even documents, in candidate order, none twice');
  t.equal(pages.length, 4, '4 + 4 + 4 + 3');
  t.same(
    pages.map((p) => p.page?.count),
    [4, 4, 4, 3],
  );
  t.equal(pages.at(-1)?.page?.next_token, '', 'the last page says so with ""');
  t.ok(
    pages.slice(0, -1).every((p) => (p.page?.next_token ?? '').length > 0),
    'the others carry a token',
  );
  for (const id of ids) {
    const d = (await pdp.post(EVALUATION, { subject: u0, action: read, resource: { type: 'document', id } })).json as Decision;
    t.equal(d.decision, true, `${id} re-evaluates to true`);
  }
  const exact = await allPages(SEARCH_RESOURCE, { subject: u0, action: read, resource: { type: 'document' } }, 15);
  t.equal(exact.pages.length, 1, 'a limit equal to the result count: one page');
  t.equal(exact.pages[0]?.page?.next_token, '');
});

t.test('without page: everything at once, no page object; limit 0 means no limit', async (t) => {
  const r = (await pdp.post(SEARCH_RESOURCE, { subject: { type: 'user', id: 'root' }, action: read, resource: { type: 'document', id: 'doc-3' } }))
    .json as Page;
  t.equal(r.results.length, 30, 'root reads all 30 (resource.id ignored)');
  t.notOk('page' in r);
  const zero = (await pdp.post(SEARCH_RESOURCE, { subject: u0, action: read, resource: { type: 'document' }, page: { limit: 0 } })).json as Page;
  t.equal(zero.results.length, 15);
  t.same(zero.page, { next_token: '', count: 15 });
});

t.test('subject search: only allowed subjects, malformed candidates dropped, subject.id ignored', async (t) => {
  const body = { subject: { type: 'user', id: 'u-1' }, action: read, resource: { type: 'document', id: 'doc-4' } };
  t.same(((await pdp.post(SEARCH_SUBJECT, body)).json as Page).results, [
    { type: 'user', id: 'u-0' },
    { type: 'user', id: 'root' },
  ]);
  const paged = await allPages(SEARCH_SUBJECT, body, 1);
  t.same(paged.ids, ['u-0', 'root']);
  t.equal(paged.pages.at(-1)?.page?.next_token, '');
});

t.test('action search: each allowed action once, context decides', async (t) => {
  const body = { subject: u0, resource: { type: 'document', id: 'doc-2' } };
  t.same(((await pdp.post(SEARCH_ACTION, body)).json as Page).results, [{ name: 'read' }]);
  t.same(((await pdp.post(SEARCH_ACTION, { ...body, context: { weekday: true } })).json as Page).results, [{ name: 'read' }, { name: 'comment' }]);
  const paged = await allPages(SEARCH_ACTION, { ...body, context: { weekday: true } }, 1);
  t.same(paged.ids, ['read', 'comment']);
});

t.test('unknown types and ids: empty results, not errors', async (t) => {
  t.same((await pdp.post(SEARCH_SUBJECT, { subject: { type: 'spaceship' }, action: read, resource: { type: 'document', id: 'doc-1' } })).json, { results: [] });
  t.same((await pdp.post(SEARCH_RESOURCE, { subject: u0, action: read, resource: { type: 'planet' } })).json, { results: [] });
  t.same((await pdp.post(SEARCH_ACTION, { subject: { type: 'user', id: 'nobody' }, resource: { type: 'document', id: 'doc-1' } })).json, { results: [] });
  t.same((await pdp.post(SEARCH_RESOURCE, { subject: u0, action: { name: 'fly' }, resource: { type: 'document' }, page: { limit: 2 } })).json, {
    page: { next_token: '', count: 0 },
    results: [],
  });
});

t.test('PDP_AUTHZEN_MAX_CANDIDATES bounds the work and says so', async (t) => {
  const small = await startAuthzen({ bundleDir, env: { PDP_AUTHZEN_MAX_CANDIDATES: '10' } });
  t.teardown(() => small.close());
  const r = (await small.post(SEARCH_RESOURCE, { subject: u0, action: read, resource: { type: 'document' } })).json as Page;
  t.equal(r.results.length, 5, 'the even ones among the first 10 candidates');
  t.same(r.context, { candidates_truncated: true, max_candidates: 10 });
});

t.test('candidates that fail to evaluate: 500, never a guess; no bundle owning them: no results', async (t) => {
  const broken = await startAuthzen({ bundleDir, env: { PDP_AUTHZEN_CANDIDATES: 'broken/candidates' } });
  t.teardown(() => broken.close());
  const r = await broken.post(SEARCH_SUBJECT, { subject: { type: 'user' }, action: read, resource: { type: 'document', id: 'doc-1' } });
  t.equal(r.status, 500);
  t.match(r.json, { error: { code: 'EVALUATION_ERROR', message: 'search candidates at data.broken.candidates could not be evaluated' } });
  const elsewhere = await startAuthzen({ bundleDir, env: { PDP_AUTHZEN_CANDIDATES: 'nowhere/candidates' } });
  t.teardown(() => elsewhere.close());
  t.same((await elsewhere.post(SEARCH_SUBJECT, { subject: { type: 'user' }, action: read, resource: { type: 'document', id: 'doc-1' } })).json, {
    results: [],
  });
});

t.test("PDP_AUTHZEN_PAGE_TOKEN_SECRET: replicas with the same key accept each other's tokens", async (t) => {
  const secret = 'a-page-token-key-of-32-characters-or-more';
  const [a, b] = [
    await startAuthzen({ bundleDir, env: { PDP_AUTHZEN_PAGE_TOKEN_SECRET: secret } }),
    await startAuthzen({ bundleDir, env: { PDP_AUTHZEN_PAGE_TOKEN_SECRET: secret } }),
  ];
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const body = { subject: u0, action: read, resource: { type: 'document' }, page: { limit: 10 } };
  const first = (await a.post(SEARCH_RESOURCE, body)).json as Page;
  const second = await b.post(SEARCH_RESOURCE, { ...body, page: { limit: 10, token: first.page?.next_token } });
  t.equal(second.status, 200, 'the next page from the other replica');
  t.equal((second.json as Page).results.length, 5);
  t.equal((second.json as Page).page?.next_token, '');
  const other = await startAuthzen({ bundleDir });
  t.teardown(() => other.close());
  t.equal((await other.post(SEARCH_RESOURCE, { ...body, page: { limit: 10, token: first.page?.next_token } })).status, 400, 'not on one with its own key');
  t.match(configIssues({ PDP_AUTHZEN_PAGE_TOKEN_SECRET: 'short' }), [{ source: 'PDP_AUTHZEN_PAGE_TOKEN_SECRET' }], 'a short key is refused at start');
});
