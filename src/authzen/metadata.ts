// PDP metadata (GET /.well-known/authzen-configuration): every endpoint this service serves, as
// absolute URLs under the PDP identifier. `capabilities` is left out: the specification's
// capability registry has no entries yet, and parameters without values must be omitted.
export const AUTHZEN_PATHS = Object.freeze({
  access_evaluation_endpoint: '/access/v1/evaluation',
  access_evaluations_endpoint: '/access/v1/evaluations',
  search_subject_endpoint: '/access/v1/search/subject',
  search_resource_endpoint: '/access/v1/search/resource',
  search_action_endpoint: '/access/v1/search/action',
});

export const WELL_KNOWN_PATH = '/.well-known/authzen-configuration';

/** `pdpUrl`: the configured identifier (authzen.pdp_url), else the one the request was sent to. */
export function pdpMetadata(pdpUrl: string): Record<string, string> {
  const base = pdpUrl.replace(/\/+$/, '');
  const out: Record<string, string> = { policy_decision_point: base };
  for (const [k, path] of Object.entries(AUTHZEN_PATHS)) out[k] = base + path;
  return out;
}
