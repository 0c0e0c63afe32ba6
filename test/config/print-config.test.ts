// `pdp config`: the effective configuration, validated as `pdp serve` would, every secret
// redacted — never a password, token, key or header value in what it prints.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configCommand } from '../../src/cli/commands/config.js';
import type { CliIO } from '../../src/cli/io.js';

function capture(cwd = process.cwd()): CliIO & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', cwd, out: (s: string) => void (io.stdout += s), err: (s: string) => void (io.stderr += s) };
  return io;
}

const SECRETS = ['redispw', 'sentinelpw', 'logtoken', 'bundletoken', 'hmac-signing-secret', 'filepw'];

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
  };
  for (const format of ['yaml', 'json']) {
    const io = capture(dir);
    t.equal(await configCommand(['--format', format], io, env), 0, io.stderr);
    for (const s of SECRETS) t.notMatch(io.stdout, s, `${format}: ${s} is not printed`);
    const shown = (format === 'json' ? JSON.parse(io.stdout) : parseYaml(io.stdout)) as Record<string, Record<string, unknown>>;
    t.equal(shown.redis?.url, 'redis://app:REDACTED@cache.example:6380/1', 'user and host stay');
    t.equal(shown.redis?.password, '[REDACTED]');
    t.equal(shown.decision_log?.auth_token, '[REDACTED]');
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
