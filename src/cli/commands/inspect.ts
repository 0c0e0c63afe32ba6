// `pdp inspect <bundle dir|.tar.gz>`: what a bundle holds, as `opa inspect` shows it — the
// manifest, the namespaces (package → its files, with the package annotation's title and
// organizations; then the data files and wasm modules mounted there) and the METADATA
// annotations; `--format json` prints OPA's shape {manifest, signatures_config, wasm_modules,
// namespaces, annotations}.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Rule, Term } from '../../rego/ast.js';
import { isRegoError, parseModule, toJSON } from '../../rego/index.js';
import { describeThrown } from '../../shared/errors.js';
import { CliError, type CliIO } from '../io.js';
import { jsonText } from '../json.js';
import { bundleExtras } from '../inspect-files.js';
import { loadSources } from '../sources.js';

/** OPA's NamespaceInfo. */
interface NamespaceFile {
  file: string;
  title?: string;
  organizations?: string[];
}

interface AnnotationEntry {
  location: { file: string; row: number; col: number };
  path: { type: string; value: string }[];
  annotations: unknown;
}

function refPath(pkg: string[], rule?: Rule): { type: string; value: string }[] {
  const out = [{ type: 'var', value: 'data' }, ...pkg.map((p) => ({ type: 'string', value: p }))];
  if (rule) {
    const [name, ...rest] = rule.head.ref;
    if (name.type === 'var') out.push({ type: 'string', value: name.name });
    for (const t of rest as Term[]) if (t.type === 'string') out.push({ type: 'string', value: t.value });
  }
  return out;
}

export async function inspectCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', short: 'f', default: 'pretty' }, 'v0-compatible': { type: 'boolean', default: false } },
  });
  if (values.format !== 'pretty' && values.format !== 'json') throw new CliError('usage', '--format must be pretty or json');
  if (positionals.length !== 1) throw new CliError('usage', 'give exactly one bundle directory or .tar.gz');
  const sources = await loadSources(positionals, io.cwd, { mode: 'bundle', bundles: positionals });
  const arg = positionals[0] as string;
  const abs = path.resolve(io.cwd, arg);
  const isTarball = (await stat(abs)).isFile() && /\.(tar\.gz|tgz)$/.test(abs);
  const extras = await bundleExtras(arg, abs, isTarball, sources.manifest);
  // A tarball's files as OPA names them: /path inside the bundle (the loader says <arg>/path).
  const shownFile = (file: string): string => (isTarball && file.startsWith(`${arg}/`) ? `/${file.slice(arg.length + 1)}` : file);

  const namespaces: Record<string, NamespaceFile[]> = {};
  const annotations: AnnotationEntry[] = [];
  let errors = 0;
  for (const m of sources.modules) {
    let mod;
    try {
      mod = parseModule(m.file, m.source, { regoVersion: m.regoVersion ?? (values['v0-compatible'] ? 0 : 1) });
    } catch (e) {
      if (!isRegoError(e)) throw e;
      io.err(`${describeThrown(e)}\n`);
      errors++;
      continue;
    }
    const ns = ['data', ...mod.package].join('.');
    const info: NamespaceFile = { file: shownFile(m.file) };
    const pkg = mod.annotations?.find((a) => a.scope === 'package' || a.scope === 'subpackages');
    if (pkg) {
      const v = toJSON(pkg.value) as { title?: unknown; organizations?: unknown };
      if (typeof v.title === 'string') info.title = v.title;
      if (Array.isArray(v.organizations)) info.organizations = v.organizations.filter((o): o is string => typeof o === 'string');
    }
    (namespaces[ns] ??= []).push(info);
    for (const a of mod.annotations ?? []) {
      annotations.push({
        location: { file: shownFile(m.file), row: a.loc.row, col: a.loc.col },
        path: refPath(mod.package, a.rule),
        annotations: toJSON(a.value),
      });
    }
  }
  if (errors > 0) return 2;
  for (const files of Object.values(namespaces)) files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  // As OPA: a namespace lists its modules, then its data files, then the wasm modules of the
  // manifest's entrypoints there.
  for (const [ns, files] of [...extras.dataFiles, ...extras.wasmNamespaces]) for (const file of files) (namespaces[ns] ??= []).push({ file });
  const manifest = sources.manifest ?? {};

  if (values.format === 'json') {
    // OPA's inspect.Info in field order; Go writes map keys sorted, and always writes the
    // signatures struct (omitempty does not omit a struct).
    const out: Record<string, unknown> = { manifest, signatures_config: extras.signatures };
    if (extras.wasmModules.length > 0) out.wasm_modules = extras.wasmModules;
    const nsKeys = Object.keys(namespaces).sort();
    if (nsKeys.length > 0) out.namespaces = Object.fromEntries(nsKeys.map((k) => [k, namespaces[k]]));
    if (annotations.length > 0) out.annotations = annotations;
    io.out(jsonText(out) + '\n');
    return 0;
  }
  io.out('MANIFEST:\n');
  const rows: [string, string][] = [
    ['Revision', String(manifest.revision ?? '')],
    ['Roots', (manifest.roots ?? ['']).join('\n')],
  ];
  if (manifest.rego_version !== undefined) rows.push(['Rego Version', String(manifest.rego_version)]);
  if (manifest.metadata) rows.push(['Metadata', jsonText(manifest.metadata, 0)]);
  io.out(table(['Field', 'Value'], rows));
  io.out('NAMESPACES:\n');
  io.out(
    table(
      ['Namespace', 'File'],
      Object.keys(namespaces)
        .sort()
        .flatMap((ns) => namespaces[ns].map((f, i): [string, string] => [i === 0 ? ns : '', f.file])),
    ),
  );
  if (annotations.length > 0) {
    io.out('ANNOTATIONS:\n');
    io.out(
      table(
        ['Path', 'Location', 'Annotations'],
        annotations
          .map((a): [string, string] => [
            a.path.map((p, i) => (i === 0 ? p.value : `.${p.value}`)).join(''),
            `${a.location.file}:${a.location.row}\t${jsonText(a.annotations, 0)}`,
          ])
          .map(([p, rest]) => [p, rest] as [string, string]),
      ),
    );
  }
  return 0;
}

/** A box table like OPA's (one line per row; multi-line cells split over lines). */
function table(head: string[], rows: string[][]): string {
  const lines = rows.flatMap((r) => {
    const cells = r.flatMap((c) => c.split('\t'));
    const split = cells.map((c) => c.split('\n'));
    const h = Math.max(...split.map((s) => s.length));
    return Array.from({ length: h }, (_, i) => split.map((s) => s[i] ?? ''));
  });
  const cols = head.length;
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+\n';
  const line = (cells: string[]): string => '| ' + Array.from({ length: cols }, (_, i) => (cells[i] ?? '').padEnd(widths[i])).join(' | ') + ' |\n';
  return rule + line(head.map((h) => h.toUpperCase())) + rule + lines.map(line).join('') + rule;
}
