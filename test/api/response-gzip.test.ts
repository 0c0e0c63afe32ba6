// gzip answers (OPA's server.encoding.gzip, src/api/response-gzip.ts) on a real listening server:
// the decision routes gzip in their handler and error handler (no hook), every other route in
// its onSend hook — both must answer alike: gzip only when Accept-Encoding prefers it and the body
// reaches min_length, with Content-Encoding, Vary and a Content-Length that fits the bytes sent.
// Hostile Accept-Encoding values never break an answer.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startReal } from '../helpers/real-server.js';

const MIN = 200;
const server = await startReal({ env: { PDP_LOG_LEVEL: 'silent', PDP_GZIP_MIN_LENGTH: String(MIN), PDP_CACHE_ENABLED: 'true' } });
t.teardown(() => server.close());

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http: nothing decodes the answer for us. */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const text = (r: Raw): string => (r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body).toString('utf8');
const toolCall = readFileSync(new URL('../../examples/tool-call/agent-trust-too-low.deny.json', import.meta.url), 'utf8');

t.test('a decision answer of min_length bytes or more is gzipped when the client prefers gzip', async (t) => {
  for (const accept of ['gzip', 'GZIP', 'gzip, deflate, br', 'br;q=1, gzip;q=0.5', 'x-gzip', '*', 'identity;q=0.1, gzip']) {
    const r = await raw('POST', '/v1/decisions/tool-call', { 'accept-encoding': accept }, toolCall);
    t.equal(r.status, 200, accept);
    t.equal(r.headers['content-encoding'], 'gzip', `gzipped for Accept-Encoding: ${accept}`);
    t.equal(r.headers.vary, 'accept-encoding', 'Vary says the answer depends on Accept-Encoding');
    t.equal(Number(r.headers['content-length']), r.body.length, 'Content-Length is the gzipped size');
    const answer = JSON.parse(text(r)) as { allow: boolean; decision_id: string };
    t.equal(answer.allow, false, 'the same answer inside');
    t.ok(Buffer.byteLength(text(r)) >= MIN, 'the plain answer reaches min_length');
  }
});

t.test('not gzipped when the client does not take gzip, or prefers identity', async (t) => {
  const cases: Record<string, string>[] = [
    {},
    { 'accept-encoding': '' },
    { 'accept-encoding': 'identity' },
    { 'accept-encoding': 'gzip;q=0' },
    { 'accept-encoding': 'br' },
    { 'accept-encoding': 'gzip;q=0.2, identity' },
  ];
  for (const headers of cases) {
    const r = await raw('POST', '/v1/decisions/tool-call', headers, toolCall);
    t.equal(r.status, 200);
    t.equal(r.headers['content-encoding'], undefined, `plain for ${JSON.stringify(headers)}`);
    t.equal(r.headers.vary, undefined);
    t.match(JSON.parse(r.body.toString('utf8')), { allow: false });
  }
});

t.test('hostile Accept-Encoding values: an answer every time, never a 5xx', async (t) => {
  const hostile = ['gzip;q=abc', 'gzip;q=', ';;;,,,', 'gzip;q=1e400', `${'gzip,'.repeat(1500)}`, 'gzip;q=-1', '\u00e9', '*;q=0', 'gzip ; q = 0.5'];
  for (const accept of hostile) {
    const r = await raw('POST', '/v1/decisions/tool-call', { 'accept-encoding': accept }, toolCall);
    t.equal(r.status, 200, JSON.stringify(accept.slice(0, 40)));
    t.match(JSON.parse(text(r)), { allow: false });
  }
});

t.test('many distinct Accept-Encoding values (past what the negotiation keeps): each answered by its own value', async (t) => {
  let gzipped = 0;
  for (let i = 0; i < 150; i++) {
    // Alternately taking gzip and refusing it, each value new: a kept answer for another value must never leak in.
    const takes = i % 2 === 0;
    const accept = takes ? `br;q=0.${(i % 9) + 1}, gzip, x-${i}` : `gzip;q=0, identity, x-${i}`;
    const r = await raw('POST', '/v1/decisions/tool-call', { 'accept-encoding': accept }, toolCall);
    t.equal(r.headers['content-encoding'], takes ? 'gzip' : undefined, accept);
    if (r.headers['content-encoding'] === 'gzip') gzipped++;
  }
  t.equal(gzipped, 75);
  // Values seen before (kept, or dropped when the table started over), and one too long to keep: the same answers.
  const again: [string, string | undefined][] = [
    ['br;q=0.1, gzip, x-0', 'gzip'],
    ['gzip;q=0, identity, x-149', undefined],
    [`${'x-long, '.repeat(60)}gzip`, 'gzip'],
    [`${'x-long, '.repeat(60)}gzip;q=0`, undefined],
  ];
  for (const [accept, enc] of [...again, ...again]) {
    const r = await raw('POST', '/v1/decisions/tool-call', { 'accept-encoding': accept }, toolCall);
    t.equal(r.headers['content-encoding'], enc, `${accept.slice(0, 40)} again`);
  }
});

t.test('an answer under min_length is not gzipped, whatever the client takes', async (t) => {
  const r = await raw('GET', '/health', { 'accept-encoding': 'gzip' });
  t.equal(r.status, 200);
  t.ok(r.body.length < MIN, `a short answer (${r.body.length} bytes)`);
  t.equal(r.headers['content-encoding'], undefined);
});

t.test('errors on a decision route are gzipped like its answers', async (t) => {
  // Many fields wrong: the 400's details reach min_length.
  const bad = JSON.stringify({ agent: { id: 7, trust_level: 'nope', owner: 1 }, tool: { name: 3 }, arguments: 'x', context: 1 });
  const plain = await raw('POST', '/v1/decisions/tool-call', {}, bad);
  t.equal(plain.status, 400);
  t.ok(plain.body.length >= MIN, `the refusal is long enough (${plain.body.length} bytes)`);
  t.equal(plain.headers['content-encoding'], undefined, 'plain without Accept-Encoding');
  const gz = await raw('POST', '/v1/decisions/tool-call', { 'accept-encoding': 'gzip' }, bad);
  t.equal(gz.status, 400);
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.same(JSON.parse(text(gz)), JSON.parse(plain.body.toString('utf8')), 'the same refusal inside');
  const short = await raw('POST', '/v1/decisions/tool-call', { 'accept-encoding': 'gzip' }, '{');
  t.equal(short.status, 400);
  t.equal(short.headers['content-encoding'], undefined, 'a short refusal stays plain');
  t.match(JSON.parse(short.body.toString('utf8')), { error: { code: 'INVALID_JSON' } });
});

t.test('other routes gzip through their hook alike', async (t) => {
  const r = await raw('GET', '/v1/policies', { 'accept-encoding': 'gzip' });
  t.equal(r.status, 200);
  t.equal(r.headers['content-encoding'], 'gzip');
  t.equal(r.headers.vary, 'accept-encoding');
  t.equal(Number(r.headers['content-length']), r.body.length);
  t.match(JSON.parse(text(r)), { result: Array });
  const id = (JSON.parse(text(await raw('POST', '/v1/decisions/tool-call', {}, toolCall))) as { decision_id: string }).decision_id;
  const record = await raw('GET', `/v1/decisions/${id}`, { 'accept-encoding': 'gzip' });
  t.equal(record.status, 200);
  t.equal(record.headers['content-encoding'], 'gzip', 'a decision record too');
  t.match(JSON.parse(text(record)), { decision_id: id });
  const metrics = await raw('GET', '/metrics', { 'accept-encoding': 'gzip' });
  t.equal(metrics.status, 200);
  t.equal(metrics.headers['content-encoding'], 'gzip', 'and the metrics text');
  t.match(text(metrics), /pdp_/);
});

t.test("OPA's Data and batch APIs gzip in their handler alike (no hook on those routes)", async (t) => {
  const input = JSON.parse(toolCall) as unknown;
  const body = JSON.stringify({ input });
  const plain = await raw('POST', '/v1/data/ai/tools/decision', {}, body);
  t.equal(plain.status, 200);
  t.ok(plain.body.length >= MIN, `a long answer (${plain.body.length} bytes)`);
  t.equal(plain.headers['content-encoding'], undefined);
  const gz = await raw('POST', '/v1/data/ai/tools/decision', { 'accept-encoding': 'gzip' }, body);
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.equal(gz.headers.vary, 'accept-encoding');
  t.equal(Number(gz.headers['content-length']), gz.body.length);
  const a = JSON.parse(text(gz)) as { result: unknown; decision_id: string };
  t.same(a.result, (JSON.parse(plain.body.toString('utf8')) as { result: unknown }).result, 'the same document inside');
  const get = await raw('GET', `/v1/data/ai/tools/decision?input=${encodeURIComponent(JSON.stringify(input))}`, { 'accept-encoding': 'gzip' });
  t.equal(get.status, 200);
  t.equal(get.headers['content-encoding'], 'gzip', 'GET too');
  const batch = await raw('POST', '/v1/batch/data/ai/tools/decision', { 'accept-encoding': 'gzip' }, JSON.stringify({ inputs: { one: input, two: input } }));
  t.equal(batch.status, 200);
  t.equal(batch.headers['content-encoding'], 'gzip', 'the batch API too');
  t.match(JSON.parse(text(batch)), { responses: { one: { result: Object }, two: { result: Object } } });
  // An OPA-shaped refusal long enough to compress: a bad ?input= names the parameter and the parse error.
  const bad = `/v1/data/ai/tools/decision?input=${encodeURIComponent(`{"a":${'['.repeat(100)}`)}`;
  const refusedPlain = await raw('GET', bad, {});
  t.equal(refusedPlain.status, 400);
  const refused = await raw('GET', bad, { 'accept-encoding': 'gzip' });
  t.equal(refused.status, 400);
  t.ok(refusedPlain.body.length >= MIN, `the OPA refusal is long enough (${refusedPlain.body.length} bytes)`);
  t.equal(refusedPlain.headers['content-encoding'], undefined);
  t.equal(refused.headers['content-encoding'], 'gzip', 'gzipped through the error handler');
  t.match(JSON.parse(text(refused)), { code: 'invalid_parameter' });
});
