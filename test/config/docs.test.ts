// docs/operations.md's configuration reference is checked against the one table of settings
// (src/config/env.ts): every variable has a row with its config-file key and default, every row
// names a real setting, and the page's example config file loads.
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_FILE_VAR, ENV_VARS } from '../../src/config/env.js';
import { loadConfig } from '../../src/config/load.js';
import { packageRoot } from '../../src/shared/package-root.js';

const page = readFileSync(join(packageRoot, 'docs/operations.md'), 'utf8');
const rows = new Map<string, string[]>();
for (const line of page.split('\n')) {
  const m = /^\| `([A-Z][A-Z0-9_]*)` \|(.*)\|$/.exec(line);
  if (m?.[1] && m[2] !== undefined) rows.set(m[1], m[2].split('|').map((c) => c.trim()));
}

/** The file key as the page writes it: /bundles/0/path → bundles[].path. */
function fileKey(pointer: string): string {
  return pointer.slice(1).replace(/\/0\//g, '[]/').replace(/\//g, '.');
}

t.test('every setting has a row with its file key and default', async (t) => {
  for (const v of ENV_VARS) {
    const cells = rows.get(v.name);
    if (!t.ok(cells, `${v.name} has a row`) || !cells) continue;
    t.equal(cells[0], `\`${fileKey(v.pointer)}\``, `${v.name} file key`);
    const shown = cells[1] ?? '';
    if (v.default === '') t.equal(shown, 'unset', `${v.name} default`);
    else if (!v.default.includes(' ')) t.equal(shown, `\`${v.default}\``, `${v.name} default`);
  }
});

t.test('every documented PDP_/REDIS_ variable is read by the service', async (t) => {
  const known = new Set([CONFIG_FILE_VAR, ...ENV_VARS.map((v) => v.name)]);
  const sdkOnly = [...rows.keys()].filter((n) => n.startsWith('OTEL_') && !known.has(n));
  for (const name of rows.keys()) {
    if (name.startsWith('OTEL_') && !known.has(name)) t.equal(rows.get(name)?.[0], '— (read by the SDK)', `${name} is the SDK's`);
    else if (/^(PDP|REDIS)_/.test(name)) t.ok(known.has(name), `${name} is a setting`);
  }
  t.ok(sdkOnly.length > 0, 'the SDK-only OTEL_ variables are listed as such');
});

t.test("the page's example config file loads", async (t) => {
  const block = /```yaml\n(# PDP_CONFIG=[^\n]*\n[\s\S]*?)```/.exec(page)?.[1];
  if (!t.ok(block, 'example present') || !block) return;
  const dir = mkdtempSync(join(tmpdir(), 'pdp-docs-'));
  writeFileSync(join(dir, 'config.yaml'), block);
  const { config } = loadConfig({ env: { PDP_CONFIG: join(dir, 'config.yaml') } });
  t.equal(config.cache.ttl_seconds, 30);
  t.equal(config.redis.key_prefix, 'prod:');
  t.same(config.decision_log.mask_paths, ['/input/arguments/password']);
  t.equal(config.tracing.endpoint, 'http://otel-collector.observability.svc:4318');
});
