// docs/operations.md matches the one settings table (src/config/env.ts) exactly:
// every variable is documented with its config-file key, real default and
// description, nothing documented is a variable the service does not read, and
// the page's example config file loads. The operations guide
// covers scaling, each failure mode and policy rollout/rollback, and the
// README points to it.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import os from 'node:os';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot, knownConfigVars, isKnownVar, OTEL_SDK_ONLY_VARS } from '../helpers/deploy.js';

const opsFile = path.join(repoRoot, 'docs', 'operations.md');
const ops = fs.readFileSync(opsFile, 'utf8');
const values = parseYaml(fs.readFileSync(path.join(repoRoot, 'helm', 'pdp', 'values.yaml'), 'utf8')) as { config: Record<string, string> };

/** Rows of every Markdown table whose first cell is a `VARIABLE`. */
function variableRows(md: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of md.split('\n')) {
    const m = /^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    rows.set(
      m[1],
      m[2].split('|').map((c) => c.trim()),
    );
  }
  return rows;
}

const unquote = (cell: string) => cell.replace(/`/g, '').trim();

/** The file key as the page writes it: /bundles/0/path → bundles[].path. */
const fileKey = (pointer: string) => pointer.slice(1).replace(/\/0\//g, '[]/').replace(/\//g, '.');

t.test('docs/operations.md documents every configuration variable with its file key and real default', async (t) => {
  const known = await knownConfigVars();
  const rows = variableRows(ops);
  for (const v of known.values()) {
    const row = rows.get(v.name);
    if (!t.ok(row, `${v.name} is in a table`)) continue;
    // Columns: file key, default, chart, meaning.
    if (v.pointer) t.equal(unquote(row![0]), fileKey(v.pointer), `${v.name}: file key is ${fileKey(v.pointer)}`);
    const expected = v.default === '' ? 'unset' : v.default;
    t.equal(unquote(row![1]), expected, `${v.name}: default is ${expected}`);
    // The docs carry the settings table's description word for word.
    if (v.description)
      t.ok(unquote(row!.at(-1)!).includes(v.description.replace(/`/g, '')), `${v.name}: meaning includes the settings table's description`, {
        found: row!.at(-1),
        wanted: v.description,
      });
  }
  for (const name of rows.keys()) {
    if (/^(PDP|REDIS|OTEL)_/.test(name)) t.ok(isKnownVar(known, name), `${name} (documented) is read by the service`);
    if (OTEL_SDK_ONLY_VARS.has(name)) t.equal(rows.get(name)![0], '— (read by the SDK)', `${name}: the SDK's own`);
  }
});

t.test("the page's example config file loads", async (t) => {
  const block = /```yaml\n(# PDP_CONFIG=[^\n]*\n[\s\S]*?)```/.exec(ops)?.[1];
  if (!t.ok(block, 'example present') || !block) return;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pdp-docs-')), 'config.yaml');
  fs.writeFileSync(file, block);
  const { config } = loadConfig({ env: { PDP_CONFIG: file } });
  t.equal(config.cache.ttl_seconds, 30);
  t.equal(config.redis.key_prefix, 'prod:');
  t.same(config.decision_log.mask_paths, ['/input/arguments/password']);
  t.equal(config.tracing.endpoint, 'http://otel-collector.observability.svc:4318');
});

t.test('the Chart column agrees with values.yaml', async (t) => {
  const rows = variableRows(ops);
  for (const [name, value] of Object.entries(values.config)) {
    const row = rows.get(name);
    if (!t.ok(row, `config.${name} is documented`)) continue;
    const chartCell = row![2] ?? '';
    if (value !== '') t.match(chartCell, value, `${name}: the chart sets ${value}, and the docs say so`);
    else t.equal(chartCell, '', `${name}: the chart leaves it to the service default, and the docs say so`);
  }
});

t.test('the guide covers deploying, scaling, failure modes and policy rollout/rollback', async (t) => {
  for (const heading of [
    /^## .*Deploying/m,
    /^## .*Configuration reference/m,
    /^## .*Scaling out/m,
    /^## .*Failure modes/m,
    /^## .*Rolling out and rolling back/m,
    /^## .*not validated/m,
  ]) {
    t.match(ops, heading, `section ${heading.source}`);
  }
  for (const failure of ['Redis down', 'Bundle server down', 'Bad bundle', 'Decision-log sink down', 'Overload']) {
    t.match(ops, new RegExp(`^\\| \\*\\*${failure}`, 'm'), `failure mode row: ${failure}`);
  }
  for (const topic of [
    'Redis Cluster',
    'REDIS_CLUSTER_NODES',
    'bundle server',
    'collector',
    '/v1/pdp/status',
    '/metrics',
    'revision',
    '.signatures.json',
    'helm install',
    'kubectl apply -k',
    'docker compose',
  ]) {
    t.ok(ops.includes(topic), `mentions ${topic}`);
  }
  const compose = fs.readFileSync(path.join(repoRoot, 'deploy', 'compose', 'docker-compose.yaml'), 'utf8');
  for (const m of (ops + compose).matchAll(/-d @(\S+)/g)) t.ok(fs.existsSync(path.join(repoRoot, m[1])), `example body ${m[1]} exists`);
  for (const link of ops.matchAll(/\]\((\.\.\/[^)#]+)\)/g)) {
    t.ok(fs.existsSync(path.resolve(path.dirname(opsFile), link[1])), `link ${link[1]} resolves`);
  }
});

const readme = path.join(repoRoot, 'README.md');
t.test('README has a Deploying section pointing to helm/, deploy/ and docs/operations.md', async (t) => {
  const text = fs.readFileSync(readme, 'utf8');
  const section = /^## Deploying\b[\s\S]*?(?=^## |(?![\s\S]))/m.exec(text)?.[0];
  if (!t.ok(section, 'a "## Deploying" section')) return;
  for (const p of ['helm/pdp', 'deploy/', 'docs/operations.md']) t.ok(section!.includes(p), `points to ${p}`);
  t.match(section!, /Docker engine/i, 'says what could not be validated here');
});
