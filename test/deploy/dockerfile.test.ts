// The Dockerfile: multi-stage, slim Node 20, non-root, read-only-root friendly,
// HEALTHCHECK; everything it COPYs exists in the repo and survives
// .dockerignore (or is produced by `npm run build` in the build stage), and its
// entry point (bin/pdp.js → dist/cli/main.js) is what `npm run build` emits.
//
// Cannot be checked here (no Docker engine): building the image, that the
// base image tag resolves, that `npm ci --omit=dev` succeeds inside it, and that
// the container starts and turns healthy. The build-output mapping is checked
// from tsconfig.build.json rather than by running tsc, so this test does not
// depend on the rest of src/ compiling at the moment it runs.

import t from 'tap';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import vm from 'node:vm';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { repoRoot, walk, parseDockerfile, dockerignoreExcludes, readDockerignore, type Instruction } from '../helpers/deploy.js';
import { hasOpenssl, makePki } from '../helpers/auth.js';

const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(dockerfile);
const ignore = readDockerignore(path.join(repoRoot, '.dockerignore'));
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

type Stage = { name: string; from: string; instructions: Instruction[] };
const args = new Map<string, string>();
const stages: Stage[] = [];
for (const ins of instructions) {
  if (ins.cmd === 'ARG' && stages.length === 0) {
    const [k, v] = ins.args.split('=');
    args.set(k.trim(), (v ?? '').trim());
  } else if (ins.cmd === 'FROM') {
    const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
    const from = (m?.[1] ?? '').replace(/\$\{?(\w+)\}?/g, (_, k) => args.get(k) ?? '');
    stages.push({ name: m?.[2] ?? String(stages.length), from, instructions: [] });
  } else stages.at(-1)?.instructions.push(ins);
}
const runtime = stages.at(-1)!;
const build = stages.find((s) => s.name === 'build');
const stageCmds = (s: Stage | undefined, cmd: string) => (s?.instructions ?? []).filter((i) => i.cmd === cmd);

/** JSON-array (exec form) arguments of an instruction. */
function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error(`not exec form: ${args}`);
  return parsed as string[];
}

/** COPY sources and destination (ignores --chown/--chmod/--link flags). */
function copyParts(ins: Instruction): { from?: string; sources: string[]; dest: string } {
  const words = ins.args.split(/\s+/);
  let from: string | undefined;
  const rest: string[] = [];
  for (const w of words) {
    if (w.startsWith('--from=')) from = w.slice('--from='.length);
    else if (!w.startsWith('--')) rest.push(w);
  }
  return { from, sources: rest.slice(0, -1), dest: rest.at(-1) ?? '' };
}

t.test('multi-stage build on node:20-bookworm-slim', async (t) => {
  t.ok(stages.length >= 2, 'at least two stages');
  t.ok(build, 'a stage named "build"');
  for (const s of stages) t.match(s.from, /^node:20(\.\d+)*-bookworm-slim(@sha256:[0-9a-f]{64})?$/, `stage ${s.name} uses slim Node 20 (${s.from})`);
  const buildRuns = stageCmds(build, 'RUN')
    .map((i) => i.args)
    .join('\n');
  t.match(buildRuns, /npm ci\b(?![^\n]*--omit=dev)/, 'build stage installs all dependencies (devDependencies included)');
  t.match(buildRuns, /npm run build/, 'build stage runs npm run build');
  const runtimeRuns = stageCmds(runtime, 'RUN')
    .map((i) => i.args)
    .join('\n');
  t.match(
    runtimeRuns,
    /npm ci --omit=dev --ignore-scripts/,
    'runtime stage installs production dependencies only, without running prepare (tsc is a devDependency)',
  );
  t.equal(
    pkg.scripts.build,
    'tsc -p tsconfig.build.json && node scripts/build-info.mjs && node scripts/build-wasm-runtime.mjs --copy-to-dist',
    "npm run build is tsc -p tsconfig.build.json, then the build stamp (?provenance's build_* fields), then the wasm runtime copied into dist/",
  );
  const copies = stageCmds(build, 'COPY')
    .map((i) => i.args)
    .join('\n');
  t.match(copies, /scripts\/build-info\.mjs scripts\/build-wasm-runtime\.mjs/, 'the build stage has both scripts npm run build runs');
});

t.test('non-root, read-only-root friendly runtime stage', async (t) => {
  const users = stageCmds(runtime, 'USER');
  t.equal(users.length, 1, 'one USER in the runtime stage');
  t.match(users[0]?.args ?? '', /^10001(:10001)?$/, 'runs as uid 10001 (numeric, so runAsNonRoot can verify it)');
  const userIdx = runtime.instructions.indexOf(users[0]);
  t.ok(
    runtime.instructions.slice(userIdx + 1).every((i) => i.cmd !== 'RUN'),
    'nothing runs as root after USER',
  );
  const env = stageCmds(runtime, 'ENV')
    .map((i) => i.args)
    .join(' ');
  t.match(env, /TMPDIR=\/tmp/, 'temporary files go to /tmp (an emptyDir / tmpfs when the root is read-only)');
  t.match(env, /NODE_ENV=production/, 'NODE_ENV=production');
  t.notMatch(env, /PDP_BUNDLE_PATH/, 'no PDP_BUNDLE_PATH: the embedded bundle keeps its name "ai-governance"');
  t.match(env, /PDP_HOST=0\.0\.0\.0/, 'listens on every interface (callers are outside the container)');
  t.notMatch(env, /PDP_AUTH_MODE/, 'authentication is not switched off: without credentials configured the container refuses to start');
  t.notOk(stageCmds(runtime, 'VOLUME').length, "no VOLUME (scratch space is the orchestrator's choice)");
  t.same(
    stageCmds(runtime, 'EXPOSE').map((i) => i.args),
    ['8181'],
    'exposes 8181',
  );
});

t.test('every COPY source exists, is in the build context, or is built in an earlier stage', async (t) => {
  t.ok(ignore.length > 0, '.dockerignore exists');
  for (const p of ['node_modules', 'dist', '.git', 'test', 'helm', '.tap']) {
    t.ok(dockerignoreExcludes(ignore, p), `.dockerignore keeps ${p} out of the context`);
  }
  for (const s of stages) {
    for (const ins of stageCmds(s, 'COPY').concat(stageCmds(s, 'ADD'))) {
      const { from, sources, dest } = copyParts(ins);
      t.ok(sources.length > 0 && dest, `line ${ins.line}: COPY has sources and a destination`);
      if (from) {
        const src = stages.find((x) => x.name === from);
        t.ok(src && stages.indexOf(src) < stages.indexOf(s), `line ${ins.line}: --from=${from} is an earlier stage`);
        for (const p of sources) {
          if (p === '/app/dist') {
            t.ok(
              stageCmds(src, 'WORKDIR').some((w) => w.args === '/app'),
              `line ${ins.line}: ${p} is the build stage's WORKDIR/dist`,
            );
            t.ok(
              stageCmds(src, 'RUN').some((r) => /npm run build/.test(r.args)),
              `line ${ins.line}: ${p} is produced by npm run build`,
            );
          } else t.fail(`line ${ins.line}: unknown build artefact ${p}`);
        }
        continue;
      }
      for (const p of sources) {
        const clean = p.replace(/\/$/, '');
        t.ok(fs.existsSync(path.join(repoRoot, clean)), `line ${ins.line}: ${clean} exists in the repo`);
        t.notOk(dockerignoreExcludes(ignore, clean), `line ${ins.line}: ${clean} is not excluded by .dockerignore`);
        if (fs.existsSync(path.join(repoRoot, clean)) && fs.statSync(path.join(repoRoot, clean)).isDirectory()) {
          const files = walk(path.join(repoRoot, clean)).map((f) => path.relative(repoRoot, f).split(path.sep).join('/'));
          t.ok(files.length > 0, `line ${ins.line}: ${clean}/ is not empty`);
          const dropped = files.filter((f) => dockerignoreExcludes(ignore, f) && !/\.(tsbuildinfo|swp)$|\.DS_Store$/.test(f));
          t.same(dropped, [], `line ${ins.line}: no file under ${clean}/ is silently excluded`);
        }
      }
    }
  }
  const runtimeCopies = stageCmds(runtime, 'COPY').map(copyParts);
  const copied = new Set(runtimeCopies.flatMap((c) => (c.from ? ['dist'] : c.sources.map((s) => s.replace(/\/$/, '')))));
  for (const p of ['package.json', 'package-lock.json', 'bin', 'dist', 'policies', 'schemas']) {
    t.ok(copied.has(p), `runtime stage has ${p} (package.json also marks the package root the service uses to find schemas/ and policies/)`);
  }
});

t.test('the build stage has every file npm run build reads', async (t) => {
  const buildCopies = new Set(stageCmds(build, 'COPY').flatMap((i) => copyParts(i).sources.map((s) => s.replace(/\/$/, ''))));
  const tsBuild = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tsconfig.build.json'), 'utf8'));
  t.ok(buildCopies.has('tsconfig.build.json'), 'tsconfig.build.json is copied');
  if (tsBuild.extends) t.ok(buildCopies.has(path.normalize(tsBuild.extends)), `its base ${tsBuild.extends} is copied`);
  for (const inc of tsBuild.include ?? []) t.ok(buildCopies.has(inc), `included ${inc}/ is copied`);
  // Sources that import files outside src/ (e.g. JSON via resolveJsonModule) would break the image build.
  const outside: string[] = [];
  for (const f of walk(path.join(repoRoot, 'src'), /\.(ts|mts|cts)$/)) {
    // AssemblyScript, compiled into runtime.wasm at development time: its imports are asc's library
    if (f.includes(`${path.sep}runtime${path.sep}assembly${path.sep}`)) continue;
    const src = fs.readFileSync(f, 'utf8');
    for (const m of src.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = path.resolve(path.dirname(f), m[1]);
      const top = path.relative(repoRoot, target).split(path.sep)[0];
      if (!buildCopies.has(top)) outside.push(`${path.relative(repoRoot, f)} imports ${m[1]}`);
    }
  }
  t.same(outside, [], 'no source imports a file the build stage does not copy');
});

t.test('the entry point is what npm run build produces', async (t) => {
  const entrypoint =
    stageCmds(runtime, 'ENTRYPOINT')
      .map((i) => execForm(i.args))
      .at(-1) ?? [];
  const cmd =
    stageCmds(runtime, 'CMD')
      .map((i) => execForm(i.args))
      .at(-1) ?? [];
  const argv = [...entrypoint, ...cmd];
  t.same(argv, ['node', 'bin/pdp.js', 'serve'], 'the container runs `node bin/pdp.js serve` (exec form: node is PID 1 and gets SIGTERM)');
  const workdir = stageCmds(runtime, 'WORKDIR').at(-1)?.args;
  t.equal(workdir, '/app', 'WORKDIR /app');

  const launcher = fs.readFileSync(path.join(repoRoot, 'bin', 'pdp.js'), 'utf8');
  const imports = [...launcher.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string);
  const imported = imports.find((i) => i.endsWith('/cli/main.js'));
  t.equal(imported, '../dist/cli/main.js', 'bin/pdp.js loads ../dist/cli/main.js');

  // tsc maps <rootDir>/X.ts to <outDir>/X.js.
  const tsBuild = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tsconfig.build.json'), 'utf8'));
  const base = tsBuild.extends ? JSON.parse(fs.readFileSync(path.join(repoRoot, tsBuild.extends), 'utf8')) : {};
  const opts = { ...(base.compilerOptions ?? {}), ...(tsBuild.compilerOptions ?? {}) };
  t.equal(opts.outDir, 'dist', 'outDir is dist');
  t.equal(opts.rootDir, 'src', 'rootDir is src (so src/cli/main.ts → dist/cli/main.js)');
  t.notOk(opts.noEmit, 'the build emits');
  const entryFile = path.resolve(repoRoot, 'bin', imported ?? '');
  const producedFrom = path.join(repoRoot, opts.rootDir, path.relative(path.join(repoRoot, opts.outDir), entryFile)).replace(/\.js$/, '.ts');
  t.equal(path.relative(repoRoot, producedFrom), path.join('src', 'cli', 'main.ts'), 'dist/cli/main.js comes from src/cli/main.ts');
  t.ok(fs.existsSync(producedFrom), 'src/cli/main.ts exists, so npm run build emits dist/cli/main.js');
  for (const other of imports) {
    const from = path
      .join(repoRoot, opts.rootDir, path.relative(path.join(repoRoot, opts.outDir), path.resolve(repoRoot, 'bin', other)))
      .replace(/\.js$/, '.ts');
    t.ok(fs.existsSync(from), `bin/pdp.js also loads ${other}: ${path.relative(repoRoot, from)} exists, so the build emits it`);
  }
  if (fs.existsSync(producedFrom))
    t.match(
      fs.readFileSync(producedFrom, 'utf8'),
      /export\s+(async\s+)?function\s+main\b|export\s+(const|let)\s+main\b|export\s*\{[^}]*\bmain\b/,
      'and it exports main(), which bin/pdp.js calls',
    );
});

t.test('HEALTHCHECK: a node one-liner (no curl in the slim image) that asks GET /health', async (t) => {
  const hc = stageCmds(runtime, 'HEALTHCHECK');
  t.equal(hc.length, 1, 'one HEALTHCHECK');
  const m = /^((?:--\S+\s+)*)CMD\s+(\[.*\])$/s.exec(hc[0]?.args ?? '');
  t.ok(m, 'HEALTHCHECK [options] CMD [exec form]');
  const argv = execForm(m?.[2] ?? '[]');
  t.same(argv.slice(0, 2), ['node', '-e'], 'runs node -e');
  t.notMatch(hc[0]?.args ?? '', /\bcurl\b|\bwget\b/, 'needs no curl or wget');
  const script = argv[2] ?? '';
  t.doesNotThrow(() => new vm.Script(script), 'the one-liner is valid JavaScript');
  t.match(script, /\/health/, 'asks /health');

  // Run it for real against a throwaway server: 200 → exit 0; 503 → 1; nothing listening → 1.
  const run = (port: number) =>
    new Promise<number | null>((resolve) => {
      const p = spawn(process.execPath, ['-e', script], { env: { ...process.env, PDP_PORT: String(port) }, stdio: 'ignore' });
      p.on('exit', (code) => resolve(code));
    });
  let status = 200;
  const server = http.createServer((req, res) => {
    res.statusCode = req.url === '/health' ? status : 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  t.equal(await run(port), 0, 'healthy → exit 0');
  status = 503;
  t.equal(await run(port), 1, 'unhealthy → exit 1');
  await new Promise<void>((r) => server.close(() => r()));
  t.equal(await run(port), 1, 'not listening → exit 1');

  // With TLS configured (PDP_TLS_CERT_FILE) it asks over HTTPS.
  if (!hasOpenssl()) return t.comment('HTTPS case skipped: the openssl CLI is not installed to make a certificate');
  const pki = makePki([]);
  const tlsServer = https.createServer({ cert: fs.readFileSync(pki.server.certFile), key: fs.readFileSync(pki.server.keyFile) }, (req, res) => {
    res.statusCode = req.url === '/health' ? 200 : 404;
    res.end();
  });
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()));
  const tlsPort = (tlsServer.address() as AddressInfo).port;
  const runTls = (env: Record<string, string>) =>
    new Promise<number | null>((resolve) => {
      const p = spawn(process.execPath, ['-e', script], { env: { ...process.env, PDP_PORT: String(tlsPort), ...env }, stdio: 'ignore' });
      p.on('exit', (code) => resolve(code));
    });
  t.equal(await runTls({ PDP_TLS_CERT_FILE: pki.server.certFile }), 0, 'HTTPS when PDP_TLS_CERT_FILE is set → exit 0');
  t.equal(await runTls({}), 1, 'plain HTTP against the TLS port → exit 1');
  await new Promise<void>((r) => tlsServer.close(() => r()));
});

t.test("the .dockerignore matcher behaves like Docker's for the patterns used (self-test)", async (t) => {
  const p = ['*', '!bin', '!src', '**/*.swp'];
  t.ok(dockerignoreExcludes(p, 'node_modules'), '* excludes a top-level directory');
  t.ok(dockerignoreExcludes(p, 'node_modules/x/index.js'), '… and what is under it');
  t.notOk(dockerignoreExcludes(p, 'bin/pdp.js'), '!bin re-includes bin/ and its files');
  t.ok(dockerignoreExcludes(p, 'src/a/b.swp'), '**/*.swp matches at any depth');
  t.ok(dockerignoreExcludes(['dist/'], 'dist/cli/main.js'), 'a trailing slash still matches the directory');
});

t.test('the runtime image has every package the compiled service imports (production dependencies only)', async (t) => {
  const { builtinModules } = await import('node:module');
  const builtins = new Set(builtinModules);
  const prod = new Set(Object.keys(pkg.dependencies ?? {}));
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const f of walk(path.join(repoRoot, 'src'), /\.(ts|mts|cts)$/)) {
    // AssemblyScript, compiled into runtime.wasm at development time: its imports are asc's library
    if (f.includes(`${path.sep}runtime${path.sep}assembly${path.sep}`)) continue;
    const src = fs
      .readFileSync(f, 'utf8')
      // Comments are not imports.
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '')
      // Type-only imports and exports are erased by tsc.
      .replace(/^\s*(import|export)\s+type\s[^;]*;/gm, '');
    for (const m of src.matchAll(/(?:^|[^.\w])(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"./][^'"]*)['"]/gm)) {
      const spec = m[1];
      if (spec.startsWith('node:') || builtins.has(spec.split('/')[0])) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      seen.add(name);
      if (!prod.has(name)) missing.push(`${path.relative(repoRoot, f)} imports ${spec} (not in dependencies)`);
    }
  }
  t.ok(seen.has('fastify') && seen.has('ioredis'), "the scan sees the service's package imports (fastify, ioredis)");
  t.same(missing, [], 'no source imports a devDependency or an undeclared package (it would be missing after npm ci --omit=dev)');
});
