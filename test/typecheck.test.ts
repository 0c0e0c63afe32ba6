// `strict` TypeScript holds for the tests, benches and scripts too, not only for src/ (which the
// build already checks): the whole project type-checks with no errors.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

t.test('tsc --noEmit -p tsconfig.json reports no errors', async (t) => {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], { cwd: root, encoding: 'utf8' });
  t.equal(r.status, 0, `type errors:\n${(r.stdout + r.stderr).slice(0, 4000)}`);
});
