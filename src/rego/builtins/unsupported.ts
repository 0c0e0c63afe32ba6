// OPA builtins this engine deliberately does not implement, with their arity and the reason.
// Note: the compiler does not read this table, so a call to one of these fails to compile
// with "undefined function <name>", and cannot be mocked with `with` either.

export interface Unsupported {
  arity: number;
  reason: string;
}

const EXTERNAL = 'reaches outside the policy engine (not allowed in this PDP)';
const NOT_YET = 'not implemented by the built-in Rego engine';

export const UNSUPPORTED_BUILTINS: ReadonlyMap<string, Unsupported> = new Map([
  ['http.send', { arity: 1, reason: EXTERNAL }],
  ['net.lookup_ip_addr', { arity: 1, reason: EXTERNAL }],
  ['providers.aws.sign_req', { arity: 3, reason: NOT_YET }],
  ['strings.render_template', { arity: 2, reason: NOT_YET }],
  ['json.verify_schema', { arity: 1, reason: NOT_YET }],
  ['json.match_schema', { arity: 2, reason: NOT_YET }],
  ['net.cidr_merge', { arity: 1, reason: NOT_YET }],
  ['regex.globs_match', { arity: 2, reason: NOT_YET }],
  ['graph.reachable_paths', { arity: 2, reason: NOT_YET }],
  ['crypto.x509.parse_certificates', { arity: 1, reason: NOT_YET }],
  ['crypto.x509.parse_and_verify_certificates', { arity: 1, reason: NOT_YET }],
  ['crypto.x509.parse_and_verify_certificates_with_options', { arity: 2, reason: NOT_YET }],
  ['crypto.x509.parse_certificate_request', { arity: 1, reason: NOT_YET }],
  ['crypto.x509.parse_keypair', { arity: 2, reason: NOT_YET }],
  ['crypto.x509.parse_rsa_private_key', { arity: 1, reason: NOT_YET }],
  ['crypto.parse_private_keys', { arity: 1, reason: NOT_YET }],
]);
