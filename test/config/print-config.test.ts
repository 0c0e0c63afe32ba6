// `pdp config`: the effective configuration, validated as `pdp serve` would, every secret
// redacted — never a password, token, key or header value in what it prints.
import t from 'tap';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configCommand } from '../../src/cli/commands/config.js';
import type { CliIO } from '../../src/cli/io.js';

function capture(cwd = process.cwd()): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', cwd, out: (s: string) => void (io.stdout += s), err: (s: string) => void (io.stderr += s) };
  return io;
}

const SECRETS = ['redispw', 'sentinelpw', 'logtoken', 'bundletoken', 'hmac-signing-secret', 'filepw', 'page-token-secret-0123456789abcdef'];

t.test('secrets from env, file and *_FILE never appear; the rest does', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-config-'));
  writeFileSync(join(dir, 'pw'), 'filepw\n');
  writeFileSync(join(dir, 'config.yaml'), 'decision_log: { url: "https://u:logtoken@logs.example/v1/logs" }\ncache: { ttl_seconds: 7 }\n');
  const env = {
    PDP_CONFIG: join(dir, 'config.yaml'),
    REDIS_URL: 'redis://app:redispw@cache.example:6380/1',
    REDIS_SENTINEL_PASSWORD: 'sentinelpw',
    REDIS_PASSWORD_FILE: join(dir, 'pw'),
    PDP_DECISION_LOG_AUTH_TOKEN: 'logtoken',
    PDP_BUNDLE_URL: 'https://bundles.example/b.tar.gz',
    PDP_BUNDLE_AUTH_TOKEN: 'bundletoken',
    PDP_BUNDLE_SIGNING_KEY: 'hmac-signing-secret',
    PDP_BUNDLE_SIGNING_ALG: 'HS256',
    PDP_AUTHZEN_PAGE_TOKEN_SECRET: 'page-token-secret-0123456789abcdef',
  };
  for (const format of ['yaml', 'json']) {
    const io = capture(dir);
    t.equal(await configCommand(['--format', format], io, env), 0, io.stderr);
    for (const s of SECRETS) t.notMatch(io.stdout, s, `${format}: ${s} is not printed`);
    const shown = (format === 'json' ? JSON.parse(io.stdout) : parseYaml(io.stdout)) as Record<string, Record<string, unknown>>;
    t.equal(shown.redis?.url, 'redis://app:REDACTED@cache.example:6380/1', 'user and host stay');
    t.equal(shown.redis?.password, '[REDACTED]');
    t.equal(shown.decision_log?.auth_token, '[REDACTED]');
    t.equal(shown.authzen?.page_token_secret, '[REDACTED]');
    t.equal(shown.cache?.ttl_seconds, 7, 'from the file');
    t.same((shown.bundles as unknown as { headers: unknown }[])[0]?.headers, { Authorization: '[REDACTED]' });
    t.same((shown.signing as unknown as { keys: { key: string }[] }).keys[0]?.key, '[REDACTED]');
  }
});

t.test('an invalid configuration: exit 2, every problem named, no secret echoed', async (t) => {
  const io = capture();
  const code = await configCommand([], io, { PDP_PORT: 'eighty', REDIS_URL: 'http://u:redispw@x', REDIS_TYPO: '1' });
  t.equal(code, 2);
  t.match(io.stderr, 'PDP_PORT: must be integer (got "eighty")');
  t.match(io.stderr, 'REDIS_URL: must start with redis:// or rediss://');
  t.notMatch(io.stderr, 'redispw');
  t.equal(io.stdout, '');
});

t.test('unknown REDIS_/PDP_ variables are warned about', async (t) => {
  const io = capture();
  t.equal(await configCommand(['-f', 'json'], io, { REDIS_TIMEOUT: '5' }), 0);
  t.match(io.stderr, 'unknown environment variable REDIS_TIMEOUT');
});

t.test('bad --format is a usage error', async (t) => {
  await t.rejects(configCommand(['--format', 'xml'], capture(), {}), { code: 'usage' });
});

t.test('every secret setting is redacted (the settings table marks them)', async (t) => {
  const { ENV_VARS } = await import('../../src/config/env.js');
  const secrets = ENV_VARS.filter((v) => v.secret);
  t.ok(secrets.length >= 6);
  for (const v of secrets) {
    const value = v.name === 'REDIS_URL' ? 'redis://u:s3cr3t-value@h:6379' : v.name === 'PDP_CACHE_SECRET' ? 's3cr3t-value-long-enough' : 's3cr3t-value';
    const env: Record<string, string> = { [v.name]: value };
    // The API key list is JSON; its secret part is each key's hash.
    const hash = 'c0ffee'.repeat(10) + 'c0ff';
    if (v.name === 'PDP_AUTH_API_KEYS') env[v.name] = JSON.stringify([{ name: 'ci', sha256: hash, scopes: ['status:read'] }]);
    if (v.name.startsWith('PDP_BUNDLE_') && v.name !== 'PDP_BUNDLE_SIGNING_KEY') env.PDP_BUNDLE_URL = 'https://b.example/b.tar.gz';
    if (v.name === 'PDP_BUNDLE_SIGNING_KEY') env.PDP_BUNDLE_SIGNING_ALG = 'HS256';
    if (v.name === 'REDIS_SENTINEL_PASSWORD') Object.assign(env, { REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' });
    // A signing key has a minimum length.
    if (v.name === 'PDP_AUTHZEN_PAGE_TOKEN_SECRET') env[v.name] = value.repeat(3);
    const io = capture();
    t.equal(await configCommand(['-f', 'json'], io, env), 0, `${v.name}: ${io.stderr}`);
    t.notMatch(io.stdout, 's3cr3t-value', `${v.name} is not printed`);
    t.notMatch(io.stdout, hash, `${v.name}: no key hash is printed`);
  }
});

t.test('hostile *_FILE and key-file paths are refused at start, not read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-secret-'));
  const huge = join(dir, 'huge');
  writeFileSync(huge, '');
  truncateSync(huge, 2 * 1024 * 1024); // sparse: 2 MiB without writing them
  for (const [path, problem] of [
    ['/dev/zero', 'not a regular file'],
    [dir, 'not a regular file'],
    [huge, 'larger than'],
    [join(dir, 'missing'), 'ENOENT'],
  ] as const) {
    for (const name of ['REDIS_PASSWORD_FILE', 'PDP_BUNDLE_SIGNING_KEY_FILE']) {
      const io = capture();
      t.equal(await configCommand([], io, { [name]: path }), 2, `${name}=${path}`);
      t.match(io.stderr, new RegExp(`${name}: cannot read .*${problem}`), `${name}=${path}: ${problem}`);
    }
  }
});
