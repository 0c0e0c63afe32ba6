// Shared helpers for the deployment validation tests (test/deploy/*.test.ts).
// This file holds no tests itself; tap reports it as "no tests found" (skip).
//
// What these helpers can and cannot prove is spelled out next to each one. The
// short version: there is no Docker engine, no helm binary and no kubectl on the
// machines this runs on, so images are never built, charts are never rendered by
// Helm and nothing is applied to an API server. Manifests are checked against the
// Kubernetes OpenAPI schemas bundled in the `kubernetes-models` package (v1.27
// API) and, for unknown/misspelt fields, against the same package's TypeScript
// types with the TypeScript compiler's excess-property check.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import ts from 'typescript';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const rel = (p: string) => path.relative(repoRoot, p);

/** Every file under dir (recursively) whose name matches re. */
export function walk(dir: string, re: RegExp = /./): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, re));
    else if (re.test(e.name)) out.push(p);
  }
  return out.sort();
}

/**
 * Parse every YAML document of a file; throws on any YAML error or warning, and
 * when YAML 1.1 and YAML 1.2 read the file differently. Kubernetes, Helm and
 * Compose use YAML 1.1-style parsers (0440 is octal, `yes`/`on` are booleans),
 * this test uses a 1.2 parser: a file both read alike means what it says.
 */
export function loadYamlDocs(file: string): unknown[] {
  const text = fs.readFileSync(file, 'utf8');
  const read = (version: '1.1' | '1.2') => {
    const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, version });
    if (!Array.isArray(docs)) throw new Error(`${rel(file)}: not a YAML stream`);
    const out: unknown[] = [];
    for (const d of docs) {
      const problems = [...d.errors, ...d.warnings];
      if (problems.length) throw new Error(`${rel(file)}: ${problems.map((e) => e.message).join('; ')}`);
      const js = d.toJS({ maxAliasCount: 100 });
      if (js !== null && js !== undefined) out.push(js);
    }
    return out;
  };
  const v12 = read('1.2');
  const v11 = read('1.1');
  const a = JSON.stringify(v12);
  const b = JSON.stringify(v11);
  if (a !== b) {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    throw new Error(
      `${rel(file)}: YAML 1.1 and 1.2 parsers disagree near ${JSON.stringify(a.slice(Math.max(0, i - 40), i + 40))} vs ${JSON.stringify(b.slice(Math.max(0, i - 40), i + 40))} (quote the value)`,
    );
  }
  return v12;
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
};

export function isK8sObject(x: unknown): x is K8sObject {
  return !!x && typeof x === 'object' && typeof (x as K8sObject).apiVersion === 'string' && typeof (x as K8sObject).kind === 'string';
}

/** kubernetes-models module specifier for an apiVersion: "v1" → kubernetes-models/v1, "apps/v1" → kubernetes-models/apps/v1. */
export function modelModule(apiVersion: string): string {
  return `kubernetes-models/${apiVersion}`;
}

/**
 * Construct the kubernetes-models class for the object's apiVersion/kind and call
 * .validate() (ajv against the Kubernetes OpenAPI schema: required fields, types,
 * enums, int-or-string, quantities). Throws if the kind is unknown to the package
 * (e.g. CRDs such as monitoring.coreos.com/v1 ServiceMonitor).
 */
export async function validateWithModels(obj: K8sObject): Promise<void> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modelModule(obj.apiVersion))) as Record<string, unknown>;
  } catch {
    throw new Error(`no kubernetes-models module for apiVersion ${obj.apiVersion}`);
  }
  const Model = mod[obj.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (typeof Model !== 'function') throw new Error(`kubernetes-models has no ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

/**
 * The JSON schemas in kubernetes-models do not reject unknown properties, so a
 * misspelt field (livenesProbe, readOnlyRootFileSystem) would pass .validate()
 * and be silently dropped by the API server. This check closes that gap: each
 * object becomes a TypeScript object literal typed with the package's interface
 * (e.g. IDeployment), and the compiler's excess-property check reports every
 * field the Kubernetes API does not define. Returns one message per problem.
 */
export function strictFieldCheck(objs: Array<{ label: string; obj: K8sObject }>): string[] {
  if (objs.length === 0) return [];
  const vfile = path.join(repoRoot, 'test', 'deploy', '__k8s_strict_check__.ts');
  const text = buildText(objs);
  const opts: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(opts);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (f, lang, ...rest) => (path.resolve(f) === vfile ? ts.createSourceFile(f, text.src, lang) : getSourceFile(f, lang, ...rest));
  host.fileExists = (f) => path.resolve(f) === vfile || fileExists(f);
  host.readFile = (f) => (path.resolve(f) === vfile ? text.src : readFile(f));
  const program = ts.createProgram([vfile], opts, host);
  const diags = ts.getPreEmitDiagnostics(program);
  return diags.map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return msg;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    let label = '?';
    for (const r of text.ranges) if (line >= r.from && line <= r.to) label = r.label;
    const snippet = text.src.split('\n')[line]?.trim();
    return `${label}: ${msg} (near: ${snippet})`;
  });
}

function buildText(objs: Array<{ label: string; obj: K8sObject }>): { src: string; ranges: Array<{ from: number; to: number; label: string }> } {
  const out: string[] = [];
  const ranges: Array<{ from: number; to: number; label: string }> = [];
  objs.forEach(({ obj }, i) => out.push(`import type { I${obj.kind} as T${i} } from '${modelModule(obj.apiVersion)}/${obj.kind}';`));
  objs.forEach(({ label, obj }, i) => {
    const body = `export const o${i}: T${i} = ${JSON.stringify(obj, null, 2)};`.split('\n');
    ranges.push({ from: out.length, to: out.length + body.length - 1, label });
    out.push(...body);
  });
  return { src: out.join('\n') + '\n', ranges };
}

// ---------------------------------------------------------------- kustomize

export type Kustomization = {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  patches?: Array<{ path?: string; patch?: string; target?: { kind?: string; name?: string } }>;
  images?: Array<{ name: string; newName?: string; newTag?: string; digest?: string }>;
  labels?: unknown;
  commonAnnotations?: Record<string, string>;
  [k: string]: unknown;
};

/** The kustomization fields this renderer implements; anything else fails the test rather than being ignored. */
export const SUPPORTED_KUSTOMIZE_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'patches', 'images', 'commonAnnotations']);

/**
 * A small, deliberately partial kustomize: resources (files or directories with
 * a kustomization.yaml), images, namespace, commonAnnotations and strategic-merge
 * patches from files. Strategic merge is approximated: maps merge recursively,
 * lists of objects that all carry `name` (containers, env, volumes, ports) merge
 * by name, other lists are replaced, and `$patch: delete` removes a named item.
 * It is not kustomize; it exists so the overlay's output can be schema-checked
 * without the kustomize binary.
 */
export function renderKustomization(dir: string): K8sObject[] {
  const kfile = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!kfile) throw new Error(`${rel(dir)}: no kustomization.yaml`);
  const k = loadYamlDocs(kfile)[0] as Kustomization;
  for (const key of Object.keys(k)) {
    if (!SUPPORTED_KUSTOMIZE_FIELDS.has(key)) throw new Error(`${rel(kfile)}: field ${key} is not understood by the test renderer`);
  }
  let objs: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const p = path.resolve(dir, r);
    if (!fs.existsSync(p)) throw new Error(`${rel(kfile)}: resource ${r} does not exist`);
    if (fs.statSync(p).isDirectory()) objs.push(...renderKustomization(p));
    else objs.push(...loadYamlDocs(p).filter(isK8sObject));
  }
  objs = structuredClone(objs);
  for (const p of k.patches ?? []) {
    if (!p.path) throw new Error(`${rel(kfile)}: only file patches (path:) are supported by the test renderer`);
    const pfile = path.resolve(dir, p.path);
    if (!fs.existsSync(pfile)) throw new Error(`${rel(kfile)}: patch ${p.path} does not exist`);
    for (const patch of loadYamlDocs(pfile)) {
      if (!isK8sObject(patch)) throw new Error(`${rel(pfile)}: a strategic-merge patch needs apiVersion and kind`);
      const kind = p.target?.kind ?? patch.kind;
      const name = p.target?.name ?? patch.metadata?.name;
      const hits = objs.filter((o) => o.kind === kind && o.metadata?.name === name);
      if (hits.length !== 1) throw new Error(`${rel(pfile)}: patch target ${kind}/${name} matched ${hits.length} objects`);
      const merged = strategicMerge(hits[0], patch) as K8sObject;
      objs[objs.indexOf(hits[0])] = merged;
    }
  }
  for (const img of k.images ?? []) {
    for (const o of objs) {
      for (const c of podContainers(o)) {
        const [repo] = splitImage(c.image);
        if (repo !== img.name) continue;
        const newRepo = img.newName ?? repo;
        c.image = img.digest ? `${newRepo}@${img.digest}` : `${newRepo}:${img.newTag ?? splitImage(c.image)[1] ?? 'latest'}`;
      }
    }
  }
  if (k.namespace) for (const o of objs) (o.metadata ??= {}).namespace = k.namespace;
  if (k.commonAnnotations) {
    for (const o of objs) {
      const m = (o.metadata ??= {});
      m.annotations = { ...(m.annotations ?? {}), ...k.commonAnnotations };
    }
  }
  return objs;
}

export function splitImage(image: string): [string, string | undefined] {
  const at = image.indexOf('@');
  if (at >= 0) return [image.slice(0, at), image.slice(at + 1)];
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon > slash) return [image.slice(0, colon), image.slice(colon + 1)];
  return [image, undefined];
}

type Container = { name: string; image: string; [k: string]: unknown };

export function podSpec(o: K8sObject): Record<string, unknown> | undefined {
  const spec = o.spec as { template?: { spec?: Record<string, unknown> } } | undefined;
  return spec?.template?.spec ?? (o.kind === 'Pod' ? (spec as Record<string, unknown> | undefined) : undefined);
}

export function podContainers(o: K8sObject): Container[] {
  const ps = podSpec(o) as { containers?: Container[]; initContainers?: Container[] } | undefined;
  return [...(ps?.initContainers ?? []), ...(ps?.containers ?? [])];
}

const isPlainObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = k in base ? strategicMerge(base[k], v) : stripDirectives(v);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    const named = (xs: unknown[]) => xs.length > 0 && xs.every((x) => isPlainObject(x) && typeof x.name === 'string');
    if (named(base) && named(patch)) {
      const out = base.map((x) => x) as Array<Record<string, unknown>>;
      for (const p of patch as Array<Record<string, unknown>>) {
        const i = out.findIndex((x) => x.name === p.name);
        if (p.$patch === 'delete') {
          if (i >= 0) out.splice(i, 1);
        } else if (i >= 0) out[i] = strategicMerge(out[i], p) as Record<string, unknown>;
        else out.push(stripDirectives(p) as Record<string, unknown>);
      }
      return out;
    }
    return stripDirectives(patch);
  }
  return stripDirectives(patch);
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (isPlainObject(v))
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== '$patch')
        .map(([k, x]) => [k, stripDirectives(x)]),
    );
  return v;
}

// ---------------------------------------------------------------- Go templates

export type Action = { text: string; line: number; start: number; end: number };

/**
 * Split a Helm (Go text/template) file into its {{ … }} actions. Understands
 * trim markers, comments and quoted strings inside actions. Throws on an
 * unterminated action, an unterminated string or comment, or a stray "}}".
 */
export function templateActions(src: string, file = 'template'): Action[] {
  const actions: Action[] = [];
  let i = 0;
  const lineAt = (pos: number) => src.slice(0, pos).split('\n').length;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    const strayClose = src.indexOf('}}', i);
    if (strayClose >= 0 && (open < 0 || strayClose < open)) throw new Error(`${file}:${lineAt(strayClose)}: "}}" without a matching "{{"`);
    if (open < 0) break;
    let j = open + 2;
    if (src.startsWith('/*', j) || src.startsWith('- /*', j)) {
      const endC = src.indexOf('*/', j);
      if (endC < 0) throw new Error(`${file}:${lineAt(open)}: unterminated comment`);
      const close = src.indexOf('}}', endC);
      if (
        close < 0 ||
        src
          .slice(endC + 2, close)
          .trim()
          .replace(/^-/, '')
          .trim() !== ''
      )
        throw new Error(`${file}:${lineAt(open)}: comment not closed by "*/}}"`);
      actions.push({ text: '/*comment*/', line: lineAt(open), start: open, end: close + 2 });
      i = close + 2;
      continue;
    }
    let quote: string | null = null;
    let depth = 0;
    for (; j < src.length; j++) {
      const c = src[j];
      if (quote) {
        if (c === '\\' && quote === '"') {
          j++;
          continue;
        }
        if (c === quote) quote = null;
        else if (c === '\n' && quote !== '`') throw new Error(`${file}:${lineAt(open)}: unterminated string in action`);
        continue;
      }
      if (c === '"' || c === '`' || c === "'") {
        quote = c;
        continue;
      }
      if (c === '(') depth++;
      if (c === ')') {
        depth--;
        if (depth < 0) throw new Error(`${file}:${lineAt(open)}: unbalanced ")" in action`);
      }
      if (c === '{' && src[j + 1] === '{') throw new Error(`${file}:${lineAt(open)}: "{{" inside an action`);
      if (c === '}' && src[j + 1] === '}') break;
    }
    if (j >= src.length) throw new Error(`${file}:${lineAt(open)}: unterminated action (no "}}")`);
    if (depth !== 0) throw new Error(`${file}:${lineAt(open)}: unbalanced "(" in action`);
    const inner = src.slice(open + 2, j);
    actions.push({ text: inner.replace(/^-\s/, '').replace(/\s-$/, '').trim(), line: lineAt(open), start: open, end: j + 2 });
    i = j + 2;
  }
  return actions;
}

/** Check if/with/range/define/block … else … end nesting; returns problems. */
export function checkTemplateBlocks(actions: Action[], file = 'template'): string[] {
  const problems: string[] = [];
  const stack: Action[] = [];
  for (const a of actions) {
    const word = a.text.split(/[\s(]/)[0];
    if (['if', 'with', 'range', 'define', 'block'].includes(word)) stack.push(a);
    else if (word === 'else') {
      const top = stack[stack.length - 1];
      if (!top || !/^(if|with|range)\b/.test(top.text)) problems.push(`${file}:${a.line}: "else" outside if/with/range`);
    } else if (word === 'end') {
      if (!stack.pop()) problems.push(`${file}:${a.line}: "end" without an open block`);
    }
  }
  for (const open of stack) problems.push(`${file}:${open.line}: "${open.text.split(/\s/)[0]}" never closed with "end"`);
  return problems;
}

/** Every .Values.a.b.c path referenced in the actions (also $.Values…). */
export function valuesPaths(actions: Action[]): Array<{ path: string[]; line: number }> {
  const out: Array<{ path: string[]; line: number }> = [];
  for (const a of actions) {
    const stripped = a.text.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""');
    for (const m of stripped.matchAll(/(?:^|[^A-Za-z0-9_])\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      out.push({ path: m[1].slice(1).split('.'), line: a.line });
    }
  }
  return out;
}

export function hasPath(obj: unknown, p: string[]): boolean {
  let cur: unknown = obj;
  for (const k of p) {
    if (!isPlainObject(cur) || !(k in cur)) return false;
    cur = cur[k];
  }
  return true;
}

/** Leaf paths of a values tree (maps recurse; lists, scalars and empty maps are leaves). */
export function leafPaths(obj: unknown, prefix: string[] = []): string[][] {
  if (isPlainObject(obj) && Object.keys(obj).length > 0) {
    return Object.entries(obj).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  }
  return [prefix];
}

// ---------------------------------------------------------------- Dockerfile

export type Instruction = { cmd: string; args: string; line: number };

/** Parse a Dockerfile into instructions (line continuations joined, comments dropped). */
export function parseDockerfile(src: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = src.split('\n');
  let buf = '';
  let startLine = 0;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    if (!buf && /^\s*#/.test(raw)) continue; // comment / parser directive
    if (buf && /^\s*#/.test(raw)) continue; // comments inside continuations are skipped by Docker
    if (!buf) startLine = n + 1;
    const t = raw.replace(/\s+$/, '');
    if (t.endsWith('\\')) {
      buf += t.slice(0, -1) + ' ';
      continue;
    }
    buf += t;
    if (buf.trim()) {
      const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(buf);
      if (m) out.push({ cmd: m[1].toUpperCase(), args: m[2].trim(), line: startLine });
    }
    buf = '';
  }
  return out;
}

/**
 * Minimal .dockerignore semantics: patterns are matched against the
 * slash-separated path relative to the context root; `*` does not cross `/`,
 * `**` does; a pattern that matches a directory excludes what is under it; the
 * last matching pattern wins; `!` re-includes.
 */
export function dockerignoreExcludes(patterns: string[], relPath: string): boolean {
  const parts = relPath.split('/');
  let excluded = false;
  for (const raw of patterns) {
    const neg = raw.startsWith('!');
    const pat = path.posix.normalize((neg ? raw.slice(1) : raw).trim()).replace(/^\/+|\/+$/g, '');
    const re = globToRegExp(pat);
    // A pattern matches the path itself or any of its parent directories.
    let hit = false;
    for (let n = 1; n <= parts.length; n++) if (re.test(parts.slice(0, n).join('/'))) hit = true;
    if (hit) excluded = !neg;
  }
  return excluded;
}

export function readDockerignore(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') {
        re = re.slice(0, -2) + '(?:.*/)?';
        i++;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

// ---------------------------------------------------------------- config module

export type ConfigVar = { name: string; pointer?: string; default: string; description?: string; secret?: boolean };

/** OpenTelemetry variables the SDK reads itself (this service has no setting for them). */
export const OTEL_SDK_ONLY_VARS = new Set([
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_PROPAGATORS',
]);

/** Every variable the service reads: the one settings table (src/config/env.ts) and PDP_CONFIG. */
export async function knownConfigVars(): Promise<Map<string, ConfigVar>> {
  const { ENV_VARS, CONFIG_FILE_VAR } = await import('../../src/config/env.js');
  const out = new Map<string, ConfigVar>(ENV_VARS.map((v) => [v.name, { ...v }]));
  out.set(CONFIG_FILE_VAR, { name: CONFIG_FILE_VAR, default: '' });
  return out;
}

/** A name the service reads: a setting, the <NAME>_FILE form of a secret one, or a standard OTel
 * variable the SDK reads itself. */
export function isKnownVar(known: Map<string, ConfigVar>, name: string): boolean {
  return known.has(name) || OTEL_SDK_ONLY_VARS.has(name) || (name.endsWith('_FILE') && known.get(name.slice(0, -'_FILE'.length))?.secret === true);
}
