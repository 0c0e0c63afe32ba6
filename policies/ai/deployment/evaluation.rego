# AIGOV-EVAL-01/02/03 — risk-tiered evaluation evidence.
#
# Why: a model may only reach users after an evaluation shows it is safe enough for its risk
# tier. The evaluation must cover every metric the tier requires (EVAL-01), meet each threshold
# (EVAL-02), and be evidence about *this* model version, recent enough to still describe it
# (EVAL-03). Tier 1 (customer-facing or sensitive domain) has the strictest thresholds and the
# shortest freshness window. Thresholds and windows live in config/evaluation.
package ai.deployment

import data.ai.lib

# (a positive rule, negated: with the configuration missing, evaluation stays enforced)
evaluation_exempt if environment in cfg.evaluation.exempt_environments

evaluation_enforced if not evaluation_exempt

required_metrics := object.keys(tier_standard.thresholds)

# --- AIGOV-EVAL-01: every required metric is reported (as a number) ------------------------

metric_reported(name) if is_number(metrics[name])

missing_metrics contains name if {
	some name in required_metrics
	not metric_reported(name)
}

violations contains {"control": "AIGOV-EVAL-01", "code": "MISSING_EVALUATION", "message": message} if {
	evaluation_enforced
	count(missing_metrics) > 0
	message := sprintf("evaluation is missing metric(s) required for risk tier %v: %s", [
		risk_tier,
		lib.list_text(missing_metrics),
	])
}

# --- AIGOV-EVAL-02: every reported required metric meets its tier threshold ----------------

violations contains {"control": "AIGOV-EVAL-02", "code": "EVAL_BELOW_THRESHOLD", "message": message} if {
	evaluation_enforced
	some name, threshold in tier_standard.thresholds
	value := metrics[name]
	is_number(value)
	direction := metric_direction(name)
	not meets_threshold(direction, value, threshold)
	message := shortfall_message(direction, name, value, threshold)
}

# A metric with no configured direction cannot be judged; it fails (fail closed).
metric_direction(name) := cfg.evaluation.metrics[name].direction if {
	is_string(cfg.evaluation.metrics[name].direction)
} else := "unknown"

meets_threshold("higher_is_better", value, threshold) if value >= threshold

meets_threshold("lower_is_better", value, threshold) if value <= threshold

shortfall_message("higher_is_better", name, value, threshold) := sprintf(
	"%s %v is below the risk tier %v minimum of %v",
	[name, value, risk_tier, threshold],
)

shortfall_message("lower_is_better", name, value, threshold) := sprintf(
	"%s %v is above the risk tier %v maximum of %v",
	[name, value, risk_tier, threshold],
)

shortfall_message(direction, name, value, _) := sprintf(
	"%s %v cannot be judged: metric direction %s is not configured",
	[name, value, direction],
) if not direction in {"higher_is_better", "lower_is_better"}

# --- AIGOV-EVAL-03: the evaluation is of this version and still fresh ----------------------

# Instant the evaluation finished; undefined when missing or not RFC 3339.
evaluation_completed_ns := lib.parse_instant(model_evaluation.completed_at)

# Instant the evaluation stops being fresh for the effective risk tier.
evaluation_stale_at_ns := time.add_date(evaluation_completed_ns, 0, 0, tier_standard.freshness_days)

evaluation_of_this_version if model_evaluation.model_version == model.version

violations contains {"control": "AIGOV-EVAL-03", "code": "STALE_EVALUATION", "message": message} if {
	evaluation_enforced
	not evaluation_of_this_version
	message := sprintf("evaluation is of model version %s, not the version being deployed (%s)", [
		lib.display(lib.string_or_null(model_evaluation, "model_version")),
		lib.display(lib.string_or_null(model, "version")),
	])
}

violations contains {"control": "AIGOV-EVAL-03", "code": "STALE_EVALUATION", "message": message} if {
	evaluation_enforced
	not evaluation_completed_ns
	message := "evaluation.completed_at is missing or not an RFC 3339 timestamp"
}

violations contains {"control": "AIGOV-EVAL-03", "code": "STALE_EVALUATION", "message": message} if {
	evaluation_enforced
	lib.now_ns >= evaluation_stale_at_ns
	message := sprintf("evaluation completed %s is older than the %v-day freshness window for risk tier %v (stale since %s)", [
		model_evaluation.completed_at,
		tier_standard.freshness_days,
		risk_tier,
		lib.rfc3339(evaluation_stale_at_ns),
	])
}

# An evaluation dated in the future is not evidence of anything yet (and would otherwise stay
# "fresh" for as long as its author liked).
violations contains {"control": "AIGOV-EVAL-03", "code": "STALE_EVALUATION", "message": message} if {
	evaluation_enforced
	evaluation_completed_ns > lib.now_ns
	message := sprintf("evaluation.completed_at %s is in the future", [model_evaluation.completed_at])
}
