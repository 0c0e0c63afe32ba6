#!/usr/bin/env node
// Stamps a build (run by `npm run build` after tsc): writes <out>/build-info.json (default dist/)
// with what OPA's ?provenance reports of its own build — build_commit (BUILD_COMMIT, else
// `git rev-parse HEAD`, with "-dirty" when tracked files are changed, when the sources are a git
// checkout, else ""), build_timestamp (now, UTC,
// to the second as OPA's Makefile stamps it) and build_hostname (this machine). Code run from
// src/ (tests, tsx) has no stamp and reports "" for all three, as an unstamped OPA build does.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, 'dist'));

function commit() {
  const given = process.env.BUILD_COMMIT?.trim();
  if (given) return /^[0-9a-f]{7,64}$/i.test(given) ? given.toLowerCase() : '';
  try {
    const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const head = git('rev-parse', 'HEAD').trim();
    if (!/^[0-9a-f]{40,64}$/.test(head)) return '';
    // Built from changed sources: the commit alone would claim code it does not hold.
    return git('status', '--porcelain', '--untracked-files=no').trim() === '' ? head : `${head}-dirty`;
  } catch {
    // Not a git checkout (a container build context): no commit to report.
    return '';
  }
}

const info = {
  build_commit: commit(),
  build_timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  build_hostname: hostname(),
};
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'build-info.json'), JSON.stringify(info, null, 2) + '\n');
