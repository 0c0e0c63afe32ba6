// gzip responses (server.gzip), gzip request bodies bounded by their INFLATED size, and YAML
// request bodies held to the JSON bounds — with the hostile cases: a gzip bomb, corrupt gzip, an
// unknown encoding, a YAML alias bomb, YAML nested past the depth limit, YAML that is not valid.
import t from 'tap';
import { request as httpRequest } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { startReal } from '../helpers/real-server.js';
import { compatBundleDir } from '../helpers/opa-compat.js';

const LIMIT = 64 * 1024;
const server = await startReal({
  bundleDir: compatBundleDir(),
  env: { PDP_LOG_LEVEL: 'silent', PDP_BODY_LIMIT_BYTES: String(LIMIT), PDP_GZIP_MIN_LENGTH: '200', PDP_MAX_JSON_DEPTH: '20' },
});
t.teardown(() => server.close());

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http, so nothing decodes the answer for us and any body bytes can be sent. */
function raw(method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (r: Raw): unknown => JSON.parse((r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body).toString('utf8'));

t.test('responses are gzipped when accepted and at least min_length bytes', async (t) => {
  const big = await raw('GET', '/v1/policies', undefined, { 'accept-encoding': 'gzip' });
  t.equal(big.status, 200);
  t.equal(big.headers['content-encoding'], 'gzip', 'a large answer is gzipped');
  t.match(json(big), { result: Array });
  const plain = await raw('GET', '/v1/policies');
  t.equal(plain.headers['content-encoding'], undefined, 'not without Accept-Encoding: gzip');
  const small = await raw('GET', '/v1/data/roles/admin/0', undefined, { 'accept-encoding': 'gzip' });
  t.equal(small.headers['content-encoding'], undefined, 'a small answer is not');
  t.match(json(small), { result: 'alice' });
});

t.test('gzip request bodies are inflated and evaluated', async (t) => {
  const body = gzipSync(JSON.stringify({ input: { user: 'alice' } }));
  const r = await raw('POST', '/v1/data/authz/allow', body, {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
    'content-length': String(body.length),
  });
  t.equal(r.status, 200);
  t.match(json(r), { result: true });
  const def = await raw('POST', '/', gzipSync(JSON.stringify({ user: 'alice' })), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  t.same(json(def), { allowed: true }, 'POST / too');
});

t.test('a gzip bomb is refused by its inflated size (413), and the server keeps serving', async (t) => {
  // ~10 MB of JSON whitespace-padded input in a few KB of gzip.
  const bomb = gzipSync(Buffer.concat([Buffer.from('{"input":"'), Buffer.alloc(10 * 1024 * 1024, 'a'), Buffer.from('"}')]));
  t.ok(bomb.length < LIMIT, `the compressed body (${bomb.length} bytes) is under the limit`);
  const r = await raw('POST', '/v1/data/authz/allow', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  t.equal(r.status, 413, 'refused for its inflated size');
  t.match(json(r), { code: 'invalid_parameter' }, "OPA's shape on an OPA route");
  const own = await raw('POST', '/v1/decisions/tool-call', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  t.equal(own.status, 413, 'on every route');
  t.match(json(own), { error: { code: 'PAYLOAD_TOO_LARGE' } });
  t.equal((await raw('GET', '/health')).status, 200, 'still serving');
});

t.test('corrupt gzip and unknown encodings are 4xx, never 500', async (t) => {
  const corrupt = await raw('POST', '/v1/data/authz/allow', Buffer.from('this is not gzip'), {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
  });
  t.equal(corrupt.status, 400, 'corrupt gzip');
  t.match(json(corrupt), { code: 'invalid_parameter' });
  const truncated = gzipSync(JSON.stringify({ input: { user: 'alice' } })).subarray(0, 12);
  t.equal(
    (await raw('POST', '/v1/data/authz/allow', truncated, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status,
    400,
    'truncated gzip',
  );
  const identity = await raw('POST', '/v1/data/authz/allow', JSON.stringify({ input: { user: 'alice' } }), {
    'content-type': 'application/json',
    'content-encoding': 'identity',
  });
  t.match(json(identity), { result: true }, 'identity is no encoding');
  const br = await raw('POST', '/v1/data/authz/allow', Buffer.from('{}'), { 'content-type': 'application/json', 'content-encoding': 'br' });
  t.equal(br.status, 415, 'an encoding other than gzip');
  t.match(json(br), { code: 'invalid_parameter', message: /Content-Encoding/ });
});

t.test('YAML request bodies: read like JSON, with the same bounds', async (t) => {
  for (const type of ['application/yaml', 'application/x-yaml']) {
    const r = await raw('POST', '/v1/data/authz/allow', 'input:\n  user: alice\n', { 'content-type': type });
    t.equal(r.status, 200, type);
    t.match(json(r), { result: true });
  }
  t.same(json(await raw('POST', '/', 'user: bob\n', { 'content-type': 'application/yaml' })), { allowed: true }, 'POST / with YAML');

  const bad = await raw('POST', '/v1/data/authz/allow', 'input: [unclosed\n', { 'content-type': 'application/yaml' });
  t.equal(bad.status, 400, 'invalid YAML');
  t.match(json(bad), { code: 'invalid_parameter' });

  const deep = `input: ${'['.repeat(50)}${']'.repeat(50)}\n`;
  t.equal((await raw('POST', '/v1/data/authz/allow', deep, { 'content-type': 'application/yaml' })).status, 400, 'deeper than max_json_depth');

  // "Billion laughs": each level refers to the one before it ten times.
  let lol = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < 9; i++) lol += `a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(',')}]\n`;
  const bomb = await raw('POST', '/v1/data/authz/allow', `${lol}input: *a8\n`, { 'content-type': 'application/yaml' });
  t.ok(bomb.status === 400 || bomb.status === 413, `an alias bomb is refused (${bomb.status})`);
  t.match(json(bomb), { code: 'invalid_parameter' });

  const circular = await raw('POST', '/v1/data/authz/allow', 'input: &a [*a]\n', { 'content-type': 'application/yaml' });
  t.equal(circular.status, 400, 'a self-referencing alias has no JSON form');

  const dup = await raw('POST', '/v1/data/authz/allow', 'input: {user: alice}\ninput: {user: bob}\n', { 'content-type': 'application/yaml' });
  t.equal(dup.status, 400, 'duplicate keys are refused, not silently merged');

  const proto = await raw('POST', '/v1/data/authz/allow', 'input:\n  __proto__:\n    polluted: true\n', { 'content-type': 'application/yaml' });
  t.equal(proto.status, 400, 'prototype keys are refused as in JSON');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'nothing polluted');

  t.equal((await raw('GET', '/health')).status, 200, 'still serving');
});

t.test('gzip-compressed YAML', async (t) => {
  const r = await raw('POST', '/v1/data/authz/allow', gzipSync('input:\n  user: alice\n'), { 'content-type': 'application/yaml', 'content-encoding': 'gzip' });
  t.equal(r.status, 200);
  t.match(json(r), { result: true });
});
