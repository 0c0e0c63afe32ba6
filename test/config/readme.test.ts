// The README's configuration table and examples stay in step with the code.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_VAR, ENV_VARS } from '../../src/config/env.js';
import { packageRoot } from '../../src/shared/package-root.js';

const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');

t.test('every environment variable the service reads has a row, with its default', async (t) => {
  for (const v of [{ name: CONFIG_FILE_VAR, default: '' }, ...ENV_VARS]) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${v.name}\` |`));
    t.ok(row, `${v.name} in the table`);
    if (row && v.default && !v.default.includes(' ')) t.match(row, `\`${v.default}\``, `${v.name} default`);
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
