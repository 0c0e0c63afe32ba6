// What the built-in engine supports, in OPA's capabilities format (`opa capabilities`), and the
// status of every builtin on OPA's published list: implemented, refused (calls outside the
// process), or not implemented yet. `pdp capabilities` prints both; docs/rego-builtins.md is the
// table, checked against this file by a test so it cannot drift.

import { BUILTINS } from './builtins/index.js';
import type { Builtin } from './builtins/types.js';
import { UNSUPPORTED_BUILTINS } from './builtins/unsupported.js';
import { RELATIONS } from './builtins/walk.js';
import { INFIX_OPERATORS as INFIX } from './operators.js';

/** The OPA capabilities file the list below was taken from (open-policy-agent/opa, capabilities/). */
export const OPA_CAPABILITIES_VERSION = 'v1.20.2';

/** Every builtin name in OPA's capabilities/v1.20.2.json, in its order. */
export const OPA_BUILTINS: readonly string[] = `abs all and any array.concat array.flatten array.reverse array.slice assign
base64.decode base64.encode base64.is_valid base64url.decode base64url.encode base64url.encode_no_pad
bits.and bits.lsh bits.negate bits.or bits.rsh bits.xor cast_array cast_boolean cast_null cast_object
cast_set cast_string ceil concat contains count crypto.hmac.equal crypto.hmac.md5 crypto.hmac.sha1
crypto.hmac.sha256 crypto.hmac.sha512 crypto.md5 crypto.parse_private_keys crypto.sha1 crypto.sha256
crypto.x509.parse_and_verify_certificates crypto.x509.parse_and_verify_certificates_with_options
crypto.x509.parse_certificate_request crypto.x509.parse_certificates crypto.x509.parse_keypair
crypto.x509.parse_rsa_private_key div endswith eq equal floor format_int glob.match glob.quote_meta
graph.reachable graph.reachable_paths graphql.is_valid graphql.parse graphql.parse_and_verify
graphql.parse_query graphql.parse_schema graphql.schema_is_valid gt gte hex.decode hex.encode http.send
indexof indexof_n internal.member_2 internal.member_3 internal.print internal.template_string
internal.test_case intersection io.jwt.decode io.jwt.decode_verify io.jwt.encode_sign
io.jwt.encode_sign_raw io.jwt.verify_eddsa io.jwt.verify_es256 io.jwt.verify_es384 io.jwt.verify_es512
io.jwt.verify_hs256 io.jwt.verify_hs384 io.jwt.verify_hs512 io.jwt.verify_ps256 io.jwt.verify_ps384
io.jwt.verify_ps512 io.jwt.verify_rs256 io.jwt.verify_rs384 io.jwt.verify_rs512 is_array is_boolean
is_null is_number is_object is_set is_string json.filter json.is_valid json.marshal
json.marshal_with_options json.match_schema json.patch json.remove json.unmarshal json.verify_schema
lower lt lte max min minus mul neq net.cidr_contains net.cidr_contains_matches net.cidr_expand
net.cidr_intersects net.cidr_is_valid net.cidr_merge net.cidr_overlap net.lookup_ip_addr numbers.range
numbers.range_step object.filter object.get object.keys object.remove object.subset object.union
object.union_n opa.runtime or plus print product providers.aws.sign_req rand.intn re_match
regex.find_all_string_submatch_n regex.find_n regex.globs_match regex.is_valid regex.match
regex.replace regex.split regex.template_match rego.metadata.chain rego.metadata.rule rego.parse_module
rem replace round semver.compare semver.is_valid set_diff sort split sprintf startswith
strings.any_prefix_match strings.any_suffix_match strings.count strings.render_template
strings.replace_n strings.reverse strings.split_n substring sum time.add_date time.clock time.date
time.diff time.format time.now_ns time.parse_duration_ns time.parse_ns time.parse_rfc3339_ns
time.weekday to_number trace trim trim_left trim_prefix trim_right trim_space trim_suffix type_name
union units.parse units.parse_bytes upper uri.is_valid uri.parse urlquery.decode urlquery.decode_object
urlquery.encode urlquery.encode_object uuid.parse uuid.rfc4122 walk yaml.is_valid yaml.marshal
yaml.unmarshal`
  .split(/\s+/)
  .filter(Boolean);

/** Operators the compiler handles itself (not registry entries), with their OPA infix form and arity. */
const COMPILER_CALLS: ReadonlyMap<string, { infix?: string; args: string[]; result?: string }> = new Map([
  ['eq', { infix: '=', args: ['any', 'any'] }],
  ['assign', { infix: ':=', args: ['any', 'any'] }],
  ['internal.member_2', { infix: 'in', args: ['any', 'any'] }],
  ['internal.member_3', { infix: 'in', args: ['any', 'any', 'any'] }],
  // Replaced by constants at compile time (compiler/metadata.ts), as OPA's compiler does.
  ['rego.metadata.chain', { args: [], result: 'array' }],
  ['rego.metadata.rule', { args: [], result: 'any' }],
]);

/** Notes shown in the table: what differs from OPA, or names OPA's compiler emits (not called by users). */
const NOTES: Readonly<Record<string, string>> = {
  'internal.print': 'what OPA rewrites print() to; print() itself is implemented',
  'opa.runtime': 'returns {}: the host environment (env) and OPA configuration are not exposed to policies',
  'internal.template_string': 'what OPA (and this parser) rewrites template strings ($"…{x}…") to',
  'internal.test_case': "true, as in OPA; the TestCase trace event opa test reads to name a parameterized test's cases is not emitted",
};

/** An OPA type declaration (ast/types JSON). */
export type TypeDecl = { type: string; [k: string]: unknown };

const ANY: TypeDecl = { type: 'any' };

function typeDecl(t: string): TypeDecl {
  const alts = t.split('|');
  if (alts.length > 1) return { of: alts.map(typeDecl), type: 'any' };
  switch (t) {
    case 'array':
      return { dynamic: ANY, type: 'array' };
    case 'object':
      return { dynamic: { key: ANY, value: ANY }, type: 'object' };
    case 'set':
      return { of: ANY, type: 'set' };
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
      return { type: t };
    default:
      return ANY;
  }
}

export interface CapabilityBuiltin {
  name: string;
  decl: { args?: TypeDecl[]; result?: TypeDecl; type: 'function'; variadic?: TypeDecl };
  infix?: string;
  relation?: boolean;
  nondeterministic?: boolean;
  deprecated?: boolean;
}

export interface Capabilities {
  builtins: CapabilityBuiltin[];
  future_keywords: string[];
  features: string[];
}

function fromBuiltin(b: Builtin): CapabilityBuiltin {
  const decl: CapabilityBuiltin['decl'] =
    b.arity < 0 ? { type: 'function', variadic: ANY } : { args: (b.args ?? []).map(typeDecl), result: ANY, type: 'function' };
  const out: CapabilityBuiltin = { name: b.name, decl };
  if (INFIX[b.name]) out.infix = INFIX[b.name];
  if (b.nondeterministic) out.nondeterministic = true;
  if (b.deprecated) out.deprecated = true;
  return out;
}

/** The engine's capabilities in OPA's JSON format: every builtin it evaluates, sorted by name. */
export function capabilities(): Capabilities {
  const out: CapabilityBuiltin[] = [...BUILTINS.values()].map(fromBuiltin);
  for (const [name, c] of COMPILER_CALLS) {
    if (BUILTINS.has(name)) continue;
    const b: CapabilityBuiltin = { name, decl: { args: c.args.map(typeDecl), result: typeDecl(c.result ?? 'boolean'), type: 'function' } };
    if (c.infix) b.infix = c.infix;
    out.push(b);
  }
  for (const [name, r] of RELATIONS) {
    out.push({
      name,
      decl: { args: r.args.map(typeDecl), result: { static: [{ dynamic: ANY, type: 'array' }, ANY], type: 'array' }, type: 'function' },
      relation: true,
    });
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { builtins: out, future_keywords: ['contains', 'every', 'if', 'in'], features: ['rego_v1'] };
}

export type BuiltinStatusKind = 'implemented' | 'refused' | 'not implemented';

export interface BuiltinStatus {
  name: string;
  status: BuiltinStatusKind;
  /** Why it is refused or missing; '' when implemented. */
  reason: string;
  /** On OPA's list (false: an engine-only builtin). */
  opa: boolean;
}

/** Every builtin on OPA's list or in the engine, with its status here. */
export function builtinStatus(): BuiltinStatus[] {
  const supported = new Set(capabilities().builtins.map((b) => b.name));
  const names = new Set([...OPA_BUILTINS, ...supported]);
  const opa = new Set(OPA_BUILTINS);
  return [...names].sort().map((name) => {
    if (supported.has(name)) return { name, status: 'implemented', reason: NOTES[name] ?? '', opa: opa.has(name) };
    const u = UNSUPPORTED_BUILTINS.get(name);
    if (u && u.reason.startsWith('calls outside')) return { name, status: 'refused', reason: u.reason, opa: opa.has(name) };
    if (name === 'internal.print' && supported.has('print')) return { name, status: 'implemented', reason: NOTES[name], opa: true };
    return { name, status: 'not implemented', reason: NOTES[name] ?? u?.reason ?? 'not implemented yet', opa: opa.has(name) };
  });
}

/** docs/rego-builtins.md: the status table with a short preamble. */
export function builtinStatusMarkdown(): string {
  const rows = builtinStatus();
  const count = (s: BuiltinStatusKind): number => rows.filter((r) => r.opa && r.status === s).length;
  const lines = [
    '# Rego builtins: what the built-in engine supports',
    '',
    `Every builtin in OPA's published capabilities list (\`capabilities/${OPA_CAPABILITIES_VERSION}.json\` in`,
    'open-policy-agent/opa) and its status in the built-in Rego engine. Generated by',
    '`pdp capabilities --format markdown` (src/rego/capabilities.ts); test/rego/capabilities.test.ts',
    'fails when this file and the engine disagree. `pdp capabilities` prints the supported list in',
    "OPA's capabilities JSON format.",
    '',
    `Of ${OPA_BUILTINS.length} builtins on OPA's list: ${count('implemented')} implemented, ${count('refused')} refused (they call outside the`,
    `process), ${count('not implemented')} not implemented yet.`,
    '',
    "- **implemented**: evaluated with OPA's semantics and error messages.",
    '- **refused**: a module calling it is refused at load with `builtin X is not supported by this',
    '  engine (calls outside the process)`; tests can still replace it with `with X as mock`, as in',
    '  OPA, and a call no mock covers fails the evaluation with the same message.',
    '- **not implemented**: refused at load with `builtin X is not supported by this engine (not',
    "  implemented yet)` (or `undefined function X` when it is not in the engine's table at all).",
    '',
    '| builtin | status | note |',
    '|---|---|---|',
  ];
  for (const r of rows) lines.push(`| \`${r.name}\` | ${r.status} | ${r.opa ? r.reason : "not on OPA's list"} |`);
  return lines.join('\n') + '\n';
}
