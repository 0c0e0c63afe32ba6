// MCP tool calls through AuthZEN (COAZ-MCP mapping), answered by the embedded tool-call policy:
// for every examples/tool-call body, the AuthZEN evaluation and POST /v1/decisions/tool-call give
// the same allow, reasons and obligations (and the same masked audit input); the examples in
// examples/mcp/ are real answers; the tool listing (action search on resource type "tool") lists
// exactly the tools that re-evaluate to true.
import t from 'tap';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { toolCallToAuthzen } from '../../src/authzen/mcp.js';
import { send } from '../helpers/http.js';
import { EVALUATION, SEARCH_ACTION, SEARCH_RESOURCE, readJson, repoRoot, startAuthzen, type Decision } from '../helpers/authzen.js';

interface ToolCallAnswer {
  decision_id: string;
  allow: boolean;
  reasons: { code: string; message?: string }[];
  obligations: unknown[];
}

const toolCallDir = path.join(repoRoot, 'examples', 'tool-call');
const mcpDir = path.join(repoRoot, 'examples', 'mcp');
const pdp = await startAuthzen({ bundleDir: path.join(repoRoot, 'policies') });
t.teardown(() => pdp.close());

const record = async (id: unknown): Promise<Record<string, unknown>> => (await send(`${pdp.url}/v1/decisions/${String(id)}`)).json as Record<string, unknown>;

t.test('every examples/tool-call body: AuthZEN and /v1/decisions/tool-call agree', async (t) => {
  const files = readdirSync(toolCallDir).filter((f) => f.endsWith('.json'));
  t.ok(files.length >= 20, `${files.length} examples`);
  for (const file of files) {
    const body = readJson<Record<string, unknown>>(path.join(toolCallDir, file));
    const direct = (await pdp.post('/v1/decisions/tool-call', body)).json as ToolCallAnswer;
    const az = await pdp.post(EVALUATION, toolCallToAuthzen(body));
    t.equal(az.status, 200, `${file}: 200`);
    const d = az.json as Decision;
    t.equal(d.decision, direct.allow, `${file}: allow ${direct.allow}`);
    t.equal(d.decision, file.endsWith('.allow.json'), `${file}: the outcome its name promises`);
    t.same(d.context?.obligations ?? [], direct.obligations, `${file}: same obligations`);
    const admin: Record<string, string> = {};
    for (const r of direct.reasons) admin[r.code] = admin[r.code] ? `${admin[r.code]}; ${r.message ?? r.code}` : (r.message ?? r.code);
    t.same(d.context?.reason_admin ?? {}, admin, `${file}: same reasons (reason_admin)`);
    // The audit records: the same policy path, reasons, obligations and the same masked input.
    const [a, b] = [await record(d.context?.decision_id), await record(direct.decision_id)];
    t.match(a, { kind: 'authzen', path: 'ai/tools/decision' });
    t.same(a.reasons, b.reasons, `${file}: same reasons in the records`);
    t.same(a.obligations, b.obligations, `${file}: same obligations in the records`);
    t.same(a.input, b.input, `${file}: the same input, masked by the bundle's system.log.mask`);
  }
});

t.test('examples/mcp: each request gets the answer written next to it', async (t) => {
  const files = readdirSync(mcpDir).filter((f) => f.endsWith('.json'));
  t.ok(files.length >= 5, `${files.length} examples`);
  const scrub = (v: unknown): unknown =>
    JSON.parse(
      JSON.stringify(v, (k: string, x: unknown) => (k === 'decision_id' ? '<decision id>' : k === 'next_token' && x !== '' ? '<signed page token>' : x)),
    );
  for (const file of files) {
    const ex = readJson<{ endpoint: string; request: unknown; answer: unknown }>(path.join(mcpDir, file));
    const r = await pdp.post(ex.endpoint, ex.request);
    t.equal(r.status, 200, file);
    t.same(scrub(r.json), ex.answer, `${file}: the written answer is the real one`);
  }
});

t.test('the tool listing: exactly the catalogued tools that re-evaluate to true', async (t) => {
  const catalog = readJson<{ tools: Record<string, { server: string }> }>(
    path.join(repoRoot, 'policies', 'ai', 'tools', 'config', 'catalog', 'data.json'),
  ).tools;
  const subject = { type: 'user', id: 'u-7', properties: { roles: ['engineer', 'support'] } };
  const context = {
    agent: { id: 'ops-agent', trust_level: 'high', environment: 'staging' },
    session: { id: 's', untrusted_content_seen: false, sensitive_data_accessed: false },
  };
  const listing = (await pdp.post(SEARCH_ACTION, { subject, resource: { type: 'tool' }, context })).json as {
    results: { name: string; properties: { tool: string } }[];
  };
  const listed = new Set(listing.results.map((r) => r.properties.tool));
  t.ok(listed.size > 0, `listed: ${[...listed].join(', ')}`);
  for (const r of listing.results) t.equal(r.name, 'tools/call');
  for (const [tool, entry] of Object.entries(catalog)) {
    const d = (
      await pdp.post(EVALUATION, {
        subject,
        action: { name: 'tools/call' },
        resource: { type: 'tool', id: tool, properties: { server: entry.server } },
        context,
      })
    ).json as Decision;
    t.equal(listed.has(tool), d.decision, `${tool}: listed iff allowed`);
  }
  const asResources = (await pdp.post(SEARCH_RESOURCE, { subject, action: { name: 'tools/call' }, resource: { type: 'tool' }, context })).json as {
    results: { id: string }[];
  };
  t.same(new Set(asResources.results.map((r) => r.id)), listed, 'a resource search gives the same tools');

  const noAgent = (await pdp.post(SEARCH_ACTION, { subject, resource: { type: 'tool' } })).json as { results: unknown[] };
  t.same(noAgent.results, [], 'no agent in the context: nothing is callable (fail closed)');
  const oneTool = (await pdp.post(SEARCH_ACTION, { subject, resource: { type: 'tool', id: 'search_kb', properties: { server: 'kb' } }, context })).json;
  t.same(oneTool, { results: [{ name: 'tools/call' }] }, 'with a tool id: the actions on that tool');
});
