// `pdp auth new-key`: a random key printed once, and the entry that configures it (the key's
// sha256, never the key), usable as it is by the configuration and by a running service.
import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { startReal } from '../helpers/real-server.js';
import { bearer, call } from '../helpers/auth.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pdp-cli-auth-'));
const run = (argv: string[]) => runCli(argv, dir);

t.test('new-key: the key on stdout, its entry (hash only) on stderr; the entry configures the service', async (t) => {
  const r = await run(['auth', 'new-key', '--name', 'release-pipeline', '--scopes', 'decide:model-deployment, data:read:ai/deployment']);
  t.equal(r.code, 0, r.err);
  const key = r.out.trim();
  t.match(key, /^pdp_[A-Za-z0-9_-]{43}$/, '256 random bits, base64url');
  const entry = JSON.parse(/^\{.*\}$/m.exec(r.err)?.[0] ?? 'null') as { name: string; sha256: string; scopes: string[] };
  t.same(entry, {
    name: 'release-pipeline',
    sha256: createHash('sha256').update(key).digest('hex'),
    scopes: ['decide:model-deployment', 'data:read:ai/deployment'],
  });
  t.notMatch(r.err, key, 'the key itself is printed once, on stdout only');
  const again = await run(['auth', 'new-key', '--name', 'release-pipeline']);
  t.not(again.out.trim(), key, 'a new key every time');

  const s = await startReal({ env: { PDP_AUTH_API_KEYS: JSON.stringify([entry]) } });
  t.teardown(() => s.close());
  t.equal((await call(`${s.url}/v1/data/ai/deployment`, { headers: bearer(key) })).status, 200, 'the key works');
  t.equal((await call(`${s.url}/v1/pdp/status`, { headers: bearer(key) })).status, 403, 'with its scopes only');
});

t.test('--format json and --add-to FILE (owner-only, appended, no duplicate names)', async (t) => {
  const json = await run(['auth', 'new-key', '--name', 'ci', '--scopes', 'status:read', '-f', 'json']);
  t.equal(json.code, 0);
  const parsed = JSON.parse(json.out) as { key: string; entry: { sha256: string } };
  t.equal(parsed.entry.sha256, createHash('sha256').update(parsed.key).digest('hex'));

  const file = join(dir, 'api-keys.json');
  t.equal((await run(['auth', 'new-key', '--name', 'a', '--scopes', 'status:read', '--add-to', 'api-keys.json'])).code, 0);
  const b = await run(['auth', 'new-key', '--name', 'b', '--add-to', file]);
  t.equal(b.code, 0);
  t.match(b.err, /was added to/);
  const list = JSON.parse(readFileSync(file, 'utf8')) as { name: string }[];
  t.same(
    list.map((e) => e.name),
    ['a', 'b'],
  );
  t.equal(statSync(file).mode & 0o777, 0o600, 'owner-only');
  t.same(loadConfig({ env: { PDP_AUTH_API_KEYS_FILE: file } }).config.auth.api_keys.length, 2, 'the file is what PDP_AUTH_API_KEYS_FILE reads');
  const dup = await run(['auth', 'new-key', '--name', 'a', '--add-to', file]);
  t.equal(dup.code, 2);
  t.match(dup.err, /a key named "a" is already there/);
  writeFileSync(join(dir, 'bad.json'), '{"not": "a list"}');
  t.equal((await run(['auth', 'new-key', '--name', 'c', '--add-to', 'bad.json'])).code, 1);
  writeFileSync(join(dir, 'garbage.json'), 'nope');
  t.match((await run(['auth', 'new-key', '--name', 'c', '--add-to', 'garbage.json'])).err, /not a JSON list of keys/);
});

t.test('bad input is a usage error', async (t) => {
  for (const [argv, msg] of [
    [['auth', 'new-key'], /--name is required/],
    [['auth', 'new-key', '--name', 'has space'], /--name is required/],
    [['auth', 'new-key', '--name', 'x', '--scopes', 'admin'], /unknown scope "admin"/],
    [['auth', 'new-key', '--name', 'x', '-f', 'xml'], /--format must be text or json/],
    [['auth', 'rotate'], /unknown subcommand "rotate"/],
    [['auth'], /unknown subcommand ""/],
  ] as const) {
    const r = await run([...argv]);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.err, msg);
  }
  const help = await run(['auth', '--help']);
  t.match(help.out, /^Usage: pdp auth new-key/);
  t.match((await run(['--help'])).out, /auth new-key/);
});
