// The build stamp behind ?provenance's build_commit, build_timestamp and build_hostname:
// scripts/build-info.mjs (run by `npm run build`) writes it; src/shared/build-info.ts reads it,
// refusing anything that is not a bounded stamp.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBuildInfo, buildInfo } from '../../src/shared/build-info.js';
import { packageRoot } from '../../src/shared/package-root.js';

const script = join(packageRoot, 'scripts', 'build-info.mjs');

t.test('npm run build stamps commit, UTC second and build host; BUILD_COMMIT wins over git', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'pdp-build-info-'));
  const env = { ...process.env };
  delete env.BUILD_COMMIT;
  execFileSync(process.execPath, [script, out], { env });
  const stamp = JSON.parse(readFileSync(join(out, 'build-info.json'), 'utf8')) as Record<string, string>;
  t.same(Object.keys(stamp), ['build_commit', 'build_timestamp', 'build_hostname']);
  let head: string;
  try {
    head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot, encoding: 'utf8' }).trim();
  } catch {
    head = '';
  }
  const dirty = head !== '' && execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: packageRoot, encoding: 'utf8' }).trim() !== '';
  t.equal(stamp.build_commit, dirty ? `${head}-dirty` : head, 'the checkout HEAD, -dirty with changed files (or "" outside git)');
  t.match(stamp.build_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, "OPA's stamp format (UTC, to the second)");
  t.ok(Math.abs(Date.parse(stamp.build_timestamp ?? '') - Date.now()) < 60_000, 'now');
  t.equal(stamp.build_hostname, hostname());
  t.same(readBuildInfo(join(out, 'build-info.json')), stamp, 'read back as written');

  execFileSync(process.execPath, [script, out], { env: { ...env, BUILD_COMMIT: 'ABCDEF1234567' } });
  t.equal(readBuildInfo(join(out, 'build-info.json')).build_commit, 'abcdef1234567', 'a container build passes the commit');
  execFileSync(process.execPath, [script, out], { env: { ...env, BUILD_COMMIT: 'not a commit; rm -rf' } });
  t.equal(readBuildInfo(join(out, 'build-info.json')).build_commit, '', 'a hostile BUILD_COMMIT is not stamped');
});

t.test('the reader: no stamp, or anything that is not one, gives "" fields', async (t) => {
  const empty = { build_commit: '', build_timestamp: '', build_hostname: '' };
  const dir = mkdtempSync(join(tmpdir(), 'pdp-build-info-'));
  t.same(readBuildInfo(join(dir, 'missing.json')), empty, 'missing');
  const cases: [string, string][] = [
    ['not JSON', '{nope'],
    ['null', 'null'],
    ['a list', '[1]'],
  ];
  for (const [name, text] of cases) {
    writeFileSync(join(dir, 'b.json'), text);
    t.same(readBuildInfo(join(dir, 'b.json')), empty, name);
  }
  writeFileSync(join(dir, 'b.json'), JSON.stringify({ build_commit: 5, build_timestamp: 'x'.repeat(10_000), build_hostname: 'a\nb', extra: 1 }));
  t.same(readBuildInfo(join(dir, 'b.json')), empty, 'wrong types, huge, control characters: dropped field by field');
  t.same(buildInfo, empty, 'the sources (src/shared) have no stamp beside them');
});
