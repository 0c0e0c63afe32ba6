// `pdp serve`'s start(): bad settings of every part are reported together, by name, before
// anything listens.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { packageRoot } from '../../src/shared/package-root.js';

t.test('one report naming every bad variable of every part, in one wording', async (t) => {
  const script =
    "import('./src/start.ts').then((m) => m.start()).then(() => process.exit(0), (e) => { console.error(e.code + '\\n' + e.message); process.exit(2); })";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: packageRoot,
    env: { ...process.env, PDP_PORT: 'eighty', PDP_LOG_LEVEL: 'loud', PDP_CACHE_MAX_ENTRIES: 'lots', OTEL_TRACES_EXPORTER: 'none' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(r.status, 2, r.stderr);
  t.match(r.stderr, /CONFIG_INVALID/);
  t.match(r.stderr, /3 problems/);
  t.match(r.stderr, /PDP_PORT: must be integer \(got "eighty"\)/);
  t.match(r.stderr, /PDP_LOG_LEVEL: must be one of/);
  t.match(r.stderr, /PDP_CACHE_MAX_ENTRIES: must be integer \(got "lots"\)/);
});
