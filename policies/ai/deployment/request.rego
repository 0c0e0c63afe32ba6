# Model-deployment gate: normalized views of the request and the risk tier every control uses.
#
# The request (input) is described in policies/README.md. Controls never read `input` directly:
# they read the views below, which turn a missing or mistyped section into an empty object, so a
# malformed request makes controls fire (deny) instead of silently skipping them — also when
# there is no input at all or it is not an object (`lib.request` is then {}; AIGOV-REQ-01 in
# request_shape.rego says why).
package ai.deployment

import data.ai.lib

# Bundle configuration for this domain: policies/ai/deployment/config/<concern>/data.json.
cfg := data.ai.deployment.config

model := lib.object_or_empty(lib.request, "model")

target := lib.object_or_empty(lib.request, "deployment")

requester := lib.object_or_empty(lib.request, "requester")

artifact := lib.object_or_empty(model, "artifact")

model_evaluation := lib.object_or_empty(model, "evaluation")

metrics := lib.object_or_empty(model_evaluation, "metrics")

environment := lib.string_or_null(target, "environment")

exposure := lib.string_or_null(target, "exposure")

# --- Risk tier -------------------------------------------------------------------------------
#
# Tier 1 is the strictest. The tier used by every control is the stricter of
#   * the tier declared in the registry (a missing or unknown tier counts as the strictest), and
#   * the cap for the deployment's exposure: a customer-facing deployment is tier 1 whatever the
#     registry says, so a team cannot lower the bar by under-declaring its model.

known_risk_tiers := {to_number(key) | some key, _ in cfg.evaluation.tiers}

strictest_risk_tier := min(known_risk_tiers)

declared_risk_tier := model.risk_tier if {
	model.risk_tier in known_risk_tiers
} else := strictest_risk_tier

exposure_risk_tier_cap := cap if {
	cap := cfg.targets.exposures[exposure].risk_tier_cap
} else := strictest_risk_tier

risk_tier := min({declared_risk_tier, exposure_risk_tier_cap})

# The evaluation standard (required metrics, thresholds, freshness) for the effective tier.
tier_standard := cfg.evaluation.tiers[format_int(risk_tier, 10)]
