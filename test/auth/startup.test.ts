// Safe defaults, as `pdp serve` / `npm start` run them (a child process each): the embedded
// default listens on loopback without authentication and says so — and the README's curl
// examples work against it unchanged; any other address without authentication refuses to
// start; auth.mode none starts anywhere, with a warning at every start.
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/shared/package-root.js';
import { call } from '../helpers/auth.js';

const SCRIPT = "import('./src/start.ts').then((m) => m.start()).catch((e) => { console.error(e.code + '\\n' + e.message); process.exit(2); })";
// One process (PDP_WORKERS=1): the cluster has its own tests (test/cluster/).
const BASE_ENV = { ...process.env, OTEL_TRACES_EXPORTER: 'none', PDP_DECISION_LOG_STDOUT: 'false', PDP_BUNDLE_WATCH: 'false', PDP_WORKERS: '1' };

interface Started {
  child: ChildProcess;
  url: string;
  logs: Record<string, unknown>[];
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Starts `pdp serve` (start()) and waits for its "pdp listening" log line. */
function serve(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: packageRoot, env: { ...BASE_ENV, ...env } });
  const logs: Record<string, unknown>[] = [];
  let err = '';
  let partial = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "pdp listening" within 60 s; stderr: ${err}`)), 60_000);
    child.stdout!.on('data', (b: Buffer) => {
      const lines = (partial + b.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        try {
          const j = JSON.parse(l) as Record<string, unknown>;
          logs.push(j);
          if (j.msg === 'pdp listening') {
            clearTimeout(timer);
            resolve({
              child,
              url: String(j.url),
              logs,
              stderr: () => err,
              stop: () =>
                new Promise((r) => {
                  child.once('exit', (code) => r(code));
                  child.kill('SIGTERM');
                }),
            });
          }
        } catch {
          // not a log line
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before listening; stderr: ${err}`));
    });
  });
}

t.test('listening on 0.0.0.0 without authentication refuses to start, saying what to do', async (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
    cwd: packageRoot,
    env: { ...BASE_ENV, PDP_HOST: '0.0.0.0', PDP_PORT: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(r.status, 2, r.stderr);
  t.match(r.stderr, /CONFIG_INVALID/);
  t.match(r.stderr, /PDP_HOST: listening on 0\.0\.0\.0 \(not loopback\) needs caller authentication: configure API keys \(PDP_AUTH_API_KEYS_FILE\)/);
  t.match(r.stderr, /or set PDP_AUTH_MODE=none/);
});

t.test('auth.mode none on 0.0.0.0: starts, with a warning on stderr and in the log, every start', async (t) => {
  for (let i = 0; i < 2; i++) {
    const s = await serve({ PDP_HOST: '0.0.0.0', PDP_PORT: '0', PDP_AUTH_MODE: 'none' });
    t.match(s.stderr(), /pdp: warning: caller authentication is off \(PDP_AUTH_MODE = none\)/, `start ${i + 1}: stderr`);
    t.ok(
      s.logs.some((l) => l.level === 40 && /caller authentication is OFF/.test(String(l.msg))),
      `start ${i + 1}: a warn log line`,
    );
    t.equal((await call(`${s.url}/v1/pdp/status`)).status, 200, 'unauthenticated callers are served');
    t.equal(await s.stop(), 0, 'drains and exits 0');
  }
});

t.test('the embedded default: loopback, no authentication, says so; the README curl examples work unchanged', async (t) => {
  const s = await serve({ PDP_PORT: '0' });
  t.teardown(() => s.stop());
  t.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.ok(
    s.logs.some((l) => l.level === 30 && /no caller authentication configured: serving this machine only/.test(String(l.msg))),
    'an info line says authentication is off and why that is safe',
  );
  t.notMatch(s.stderr(), /warning/, 'no warning: this is the intended default');
  const port = new URL(s.url).port;
  const examples = readmeCurls();
  t.ok(examples.length >= 6, `${examples.length} curl examples in the README`);
  for (const ex of examples) {
    const r = await call(`http://127.0.0.1:${port}${ex.path}`, { method: ex.method, headers: ex.headers, ...(ex.body !== undefined ? { body: ex.body } : {}) });
    if (ex.expectError) {
      t.equal(r.status, 400, `${ex.line}: 400`);
      t.match(r.json, { error: { code: 'INVALID_REQUEST' } });
    } else {
      t.equal(r.status, 200, `${ex.line}: ${r.text.slice(0, 200)}`);
      t.match(r.json, { decision_id: /\S/ }, ex.line);
    }
  }
});

interface CurlExample {
  line: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  expectError: boolean;
}

/** The `$ curl …` commands of the README's "Asking it" section, as curl would send them. */
function readmeCurls(): CurlExample[] {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const section = /^## Asking it\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
  const commands = section
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => l.startsWith('$ curl '));
  return commands.map((line) => {
    const path = /localhost:8181(\S+)/.exec(line)?.[1] ?? '/';
    const headers: Record<string, string> = {};
    for (const m of line.matchAll(/-H '([^:]+): ([^']+)'/g)) headers[m[1]!.toLowerCase()] = m[2]!;
    let body: string | undefined;
    const file = /-d @(\S+)/.exec(line)?.[1];
    const wrapped = /-d "\{\\"input\\": \$\(cat (\S+)\)\}"/.exec(line)?.[1];
    const literal = /-d '([^']*)'/.exec(line)?.[1];
    // curl -d @file drops the file's line breaks.
    if (file) body = readFileSync(join(packageRoot, file), 'utf8').replace(/[\r\n]/g, '');
    else if (wrapped) body = `{"input": ${readFileSync(join(packageRoot, wrapped), 'utf8')}}`;
    else if (literal !== undefined) body = literal;
    const method = /-XPOST/.test(line) || body !== undefined ? 'POST' : 'GET';
    return { line, method, path, headers, ...(body !== undefined ? { body } : {}), expectError: literal !== undefined };
  });
}
