// The published builtin list (issue 14): `pdp capabilities` prints OPA's capabilities JSON for
// what the engine evaluates, docs/rego-builtins.md is the status table of OPA's whole list, and
// both follow the engine: this test fails when the doc drifts or a status is wrong.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { BUILTINS } from '../../src/rego/builtins/index.js';
import { UNSUPPORTED_BUILTINS } from '../../src/rego/builtins/unsupported.js';
import { OPA_BUILTINS, builtinStatus, builtinStatusMarkdown, capabilities } from '../../src/rego/capabilities.js';
import { compile, RegoCompileErrors } from '../../src/rego/index.js';
import { runCli } from '../helpers/cli.js';

const root = join(import.meta.dirname, '..', '..');

t.test('docs/rego-builtins.md is the generated table (regenerate: pdp capabilities --format markdown)', async (t) => {
  t.equal(readFileSync(join(root, 'docs', 'rego-builtins.md'), 'utf8'), builtinStatusMarkdown());
});

t.test("every name on OPA's list has one status; only outside calls are refused", async (t) => {
  const rows = builtinStatus();
  for (const n of OPA_BUILTINS) t.equal(rows.filter((r) => r.name === n).length, 1, n);
  t.same(
    rows.filter((r) => r.status === 'refused').map((r) => r.name),
    ['http.send', 'net.lookup_ip_addr'],
  );
  t.ok(OPA_BUILTINS.length > 200, 'the whole list, not a sample');
});

/** The first compile error of a module, or null when it compiles. */
function compileError(src: string, regoVersion: 0 | 1 = 1): string | null {
  try {
    compile([{ file: 'x.rego', source: src, regoVersion }]);
    return null;
  } catch (e) {
    if (e instanceof RegoCompileErrors) return e.errors[0].detail;
    throw e;
  }
}

t.test('what the table calls implemented compiles; what it refuses is refused with the reason', async (t) => {
  for (const r of builtinStatus()) {
    const b = BUILTINS.get(r.name);
    if (r.status === 'implemented' && b && b.arity >= 0) {
      const params = Array.from({ length: b.arity }, (_, i) => `a${i}`);
      // Deprecated builtins exist for Rego v0 modules only, as in OPA.
      const v0 = b.deprecated === true;
      const src = `package p\nf(${['z', ...params].join(', ')}) ${v0 ? '' : 'if '}{ ${r.name}(${params.join(', ')}) }\n`;
      t.equal(compileError(src, v0 ? 0 : 1), null, `${r.name} compiles`);
    } else if (r.status !== 'implemented' && UNSUPPORTED_BUILTINS.has(r.name)) {
      const arity = UNSUPPORTED_BUILTINS.get(r.name)!.arity;
      const args = Array.from({ length: arity }, () => '1').join(', ');
      t.equal(compileError(`package p\nr if ${r.name}(${args})\n`), `builtin ${r.name} is not supported by this engine (${r.reason})`, r.name);
    }
  }
});

t.test("capabilities(): OPA's JSON shape, one entry per supported builtin with its declaration", async (t) => {
  const c = capabilities();
  const names = c.builtins.map((b) => b.name);
  t.same(names, [...names].sort(), 'sorted by name');
  t.equal(new Set(names).size, names.length, 'no duplicates');
  for (const b of BUILTINS.values()) t.ok(names.includes(b.name), b.name);
  t.notOk(names.includes('http.send'), 'refused builtins are not advertised');
  const ms = c.builtins.find((b) => b.name === 'json.match_schema')!;
  t.same(ms.decl.args, [
    { of: [{ type: 'string' }, { dynamic: { key: { type: 'any' }, value: { type: 'any' } }, type: 'object' }], type: 'any' },
    { of: [{ type: 'string' }, { dynamic: { key: { type: 'any' }, value: { type: 'any' } }, type: 'object' }], type: 'any' },
  ]);
  t.equal(c.builtins.find((b) => b.name === 'plus')?.infix, '+');
  t.equal(c.builtins.find((b) => b.name === 'walk')?.relation, true);
  t.equal(c.builtins.find((b) => b.name === 'time.now_ns')?.nondeterministic, true);
  t.ok(c.features.includes('rego_v1'));
});

t.test('pdp capabilities: json (default), status, markdown; a bad format is a usage error', async (t) => {
  const json = await runCli(['capabilities'], root);
  t.equal(json.code, 0);
  t.same(JSON.parse(json.out), capabilities());
  const status = await runCli(['capabilities', '--format', 'status'], root);
  t.match(status.out, /^http\.send\trefused\tcalls outside the process$/m);
  const md = await runCli(['capabilities', '-f', 'markdown'], root);
  t.equal(md.out, builtinStatusMarkdown());
  const bad = await runCli(['capabilities', '--format', 'xml'], root);
  t.equal(bad.code, 2);
  t.match(bad.err, /--format must be json, status or markdown/);
});
