// The README's first screen, its configuration table and examples stay in step with the code
// (docs/operations.md has the full reference, checked by docs.test.ts).
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_VAR, ENV_VARS } from '../../src/config/env.js';
import { packageRoot } from '../../src/shared/package-root.js';

const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');

t.test("the README's table rows are real settings with their defaults", async (t) => {
  const byName = new Map([{ name: CONFIG_FILE_VAR, default: '' }, ...ENV_VARS].map((v) => [v.name, v]));
  const rows = readme.split('\n').filter((l) => /^\| `(PDP|REDIS|OTEL)_[A-Z0-9_]*` \|/.test(l));
  t.ok(rows.length >= 10, 'the table is there');
  for (const row of rows) {
    const name = /^\| `([A-Z0-9_]+)`/.exec(row)?.[1] ?? '';
    const v = byName.get(name);
    if (!t.ok(v, `${name} is a setting`) || !v) continue;
    if (v.default && !v.default.includes(' ')) t.match(row, `\`${v.default}\``, `${name} default`);
  }
});

t.test('the first screen has the two commands', async (t) => {
  const head = readme.split('\n').slice(0, 15).join('\n');
  t.match(head, 'npm ci && npm start');
  t.match(head, 'npm ci && npm test');
});

t.test('every example file the README sends exists', async (t) => {
  const files = [...readme.matchAll(/@?(examples\/[\w./-]+\.json)/g)].map((m) => m[1] ?? '');
  t.ok(files.length >= 4);
  for (const f of files) t.ok(existsSync(join(packageRoot, f)), f);
});
