// `# METADATA` annotation blocks, as OPA reads them: a comment whose text starts with
// METADATA opens a block; the comments on the following lines (each at column 1) hold its
// YAML. A block belongs to the next package or rule statement; its scope is `rule` on a rule
// and `package` on a package unless it says `scope:` (document, subpackages). The values
// are what rego.metadata.rule() / rego.metadata.chain() return.

import { parse as parseYaml } from 'yaml';
import type { Annotation, Loc, Module } from './ast.js';
import { RegoError } from './errors.js';
import type { Comment } from './lexer.js';
import { fromJSON, ObjectV, type Value } from './value.js';

interface Block {
  loc: Loc;
  endRow: number;
  text: string;
}

const SCOPES = new Set(['rule', 'document', 'package', 'subpackages']);
const FIELDS = new Set(['scope', 'title', 'description', 'related_resources', 'authors', 'organizations', 'schemas', 'entrypoint', 'custom', 'compile']);

function blocks(file: string, comments: readonly Comment[]): Block[] {
  const out: Block[] = [];
  let cur: (Block & { lines: string[] }) | null = null;
  for (let i = 0; i < comments.length; i++) {
    const c = comments[i];
    if (cur !== null && c.row === comments[i - 1].row + 1 && c.col === 1) {
      cur.lines.push(c.text);
      cur.endRow = c.row;
      continue;
    }
    if (cur !== null) out.push({ loc: cur.loc, endRow: cur.endRow, text: cur.lines.join('\n') });
    cur = c.text.trim().startsWith('METADATA') ? { loc: { file, row: c.row, col: c.col }, endRow: c.row, text: '', lines: [] } : null;
  }
  if (cur !== null) out.push({ loc: cur.loc, endRow: cur.endRow, text: cur.lines.join('\n') });
  return out;
}

/** `Jane Doe <jane@example.com>` → {name, email}, as OPA's author strings. */
function author(a: unknown, loc: Loc): unknown {
  if (typeof a === 'string') {
    const m = /^(.*?)\s*<([^<>]*)>\s*$/.exec(a.trim());
    if (m) return m[1] ? { name: m[1], email: m[2] } : { email: m[2] };
    if (a.trim() === '') throw new RegoError('rego_parse_error', 'author is an empty string', loc);
    return { name: a.trim() };
  }
  if (a !== null && typeof a === 'object' && !Array.isArray(a)) return a;
  throw new RegoError('rego_parse_error', 'author must be a string or an object with name and email', loc);
}

function resource(r: unknown, loc: Loc): unknown {
  if (typeof r === 'string') return { ref: r };
  if (r !== null && typeof r === 'object' && !Array.isArray(r) && typeof (r as { ref?: unknown }).ref === 'string') return r;
  throw new RegoError('rego_parse_error', 'related resource must be a URL string or an object with ref', loc);
}

/** The annotation object of one block (scope filled in), as a Rego value. */
function annotationValue(block: Block, defaultScope: string): { scope: string; value: Value } {
  let doc: unknown;
  try {
    doc = parseYaml(block.text, { maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new RegoError('rego_parse_error', `invalid METADATA block: ${(e as Error).message.split('\n')[0]}`, block.loc);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new RegoError('rego_parse_error', 'METADATA block must hold a YAML mapping', block.loc);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (!FIELDS.has(k)) throw new RegoError('rego_parse_error', `invalid METADATA block: unknown field ${JSON.stringify(k)}`, block.loc);
    if (v === null || v === undefined) continue;
    if (k === 'authors') out[k] = (Array.isArray(v) ? v : [v]).map((a) => author(a, block.loc));
    else if (k === 'related_resources') out[k] = (Array.isArray(v) ? v : [v]).map((r) => resource(r, block.loc));
    else out[k] = v;
  }
  const scope = typeof out.scope === 'string' ? out.scope : defaultScope;
  if (!SCOPES.has(scope)) throw new RegoError('rego_parse_error', `invalid annotation scope '${scope}'`, block.loc);
  out.scope = scope;
  return { scope, value: fromJSON(out) };
}

/** Attaches the module's METADATA blocks to its package and rules (sets module.annotations). */
export function attachAnnotations(mod: Module, comments: readonly Comment[]): void {
  const found = blocks(mod.file, comments);
  if (found.length === 0) return;
  const out: Annotation[] = [];
  for (const b of found) {
    // the first statement that starts after the block
    const rule = mod.rules.find((r) => r.loc.row > b.endRow);
    const imp = mod.imports.find((i) => i.loc.row > b.endRow);
    const pkgNext = mod.packageLoc.row > b.endRow;
    const ruleRow = rule?.loc.row ?? Infinity;
    if (imp !== undefined && imp.loc.row < ruleRow && !pkgNext) continue; // before an import: not attached
    if (pkgNext) {
      const a = annotationValue(b, 'package');
      if (a.scope !== 'package' && a.scope !== 'subpackages') {
        throw new RegoError('rego_parse_error', `annotation scope '${a.scope}' must be applied to rule (have package)`, b.loc);
      }
      out.push({ scope: a.scope, value: a.value, loc: b.loc });
    } else if (rule !== undefined) {
      const a = annotationValue(b, 'rule');
      if (a.scope !== 'rule' && a.scope !== 'document') {
        throw new RegoError('rego_parse_error', `annotation scope '${a.scope}' must be applied to package (have rule)`, b.loc);
      }
      out.push({ scope: a.scope, value: a.value, loc: b.loc, rule });
    }
  }
  mod.annotations = out;
}

/** An annotation object with nothing in it (what rego.metadata.rule() gives without one). */
export const NO_ANNOTATIONS: Value = new ObjectV();
