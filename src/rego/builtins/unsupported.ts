// OPA builtins this engine deliberately does not implement, with their arity. The compiler can
// use this to refuse a bundle at load time with a clear message naming the builtin (instead of
// "undefined function"), and to accept them as `with` targets when a test mocks them
// (`with http.send as mock_http_send`), since a mocked call never reaches the real builtin.

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
  ['rego.parse_module', { arity: 2, reason: NOT_YET }],
  ['rego.metadata.chain', { arity: 0, reason: NOT_YET }],
  ['rego.metadata.rule', { arity: 0, reason: NOT_YET }],
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
