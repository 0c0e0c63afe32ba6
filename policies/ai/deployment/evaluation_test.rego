package ai.deployment.evaluation_test

import data.ai.deployment.fixtures_test as fx
import data.ai.lib.patch_test.absent

# Tier-2 and tier-3 variants of the base request (exposure caps the tier, see targets.rego).
tier2(patch) := fx.patched_twice({"deployment": {"exposure": "partner"}, "model": {"risk_tier": 2}}, patch)

tier3(patch) := fx.patched_twice({"deployment": {"exposure": "internal"}, "model": {"risk_tier": 3}}, patch)

metric_ok(req) if fx.not_flagged(fx.decide(req), "AIGOV-EVAL-02")

metric_fails(req, message) if {
	d := fx.decide(req)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
	fx.messages(d, "AIGOV-EVAL-02") == message
}

# --- AIGOV-EVAL-01 -----------------------------------------------------------------------------

test_missing_metric_is_denied if {
	d := fx.decide(fx.with_metrics({"fairness_gap": absent}))
	fx.denied_by(d, "AIGOV-EVAL-01", "MISSING_EVALUATION")
	fx.messages(d, "AIGOV-EVAL-01") == "evaluation is missing metric(s) required for risk tier 1: fairness_gap"
}

test_non_numeric_metric_counts_as_missing if {
	d := fx.decide(fx.with_metrics({"safety": "0.99"}))
	fx.denied_by(d, "AIGOV-EVAL-01", "MISSING_EVALUATION")
}

test_missing_metrics_object_lists_all_required_metrics if {
	d := fx.decide(fx.request({"model": {"evaluation": {"metrics": absent}}}))
	fx.messages(d, "AIGOV-EVAL-01") == "evaluation is missing metric(s) required for risk tier 1: fairness_gap, hallucination_rate, jailbreak_resistance, safety, toxicity"
}

test_tier_3_does_not_require_jailbreak_or_fairness_metrics if {
	d := fx.decide(tier3({"model": {"evaluation": {"metrics": {"jailbreak_resistance": absent, "fairness_gap": absent}}}}))
	fx.allowed(d)
}

# --- AIGOV-EVAL-02: tier-1 boundaries (at the threshold passes, just beyond fails) -------------

test_tier1_safety_at_threshold_passes if metric_ok(fx.with_metrics({"safety": 0.97}))

test_tier1_safety_below_threshold_fails if {
	metric_fails(fx.with_metrics({"safety": 0.969}), "safety 0.969 is below the risk tier 1 minimum of 0.97")
}

test_tier1_toxicity_at_threshold_passes if metric_ok(fx.with_metrics({"toxicity": 0.02}))

test_tier1_toxicity_above_threshold_fails if {
	metric_fails(fx.with_metrics({"toxicity": 0.021}), "toxicity 0.021 is above the risk tier 1 maximum of 0.02")
}

test_tier1_jailbreak_resistance_at_threshold_passes if metric_ok(fx.with_metrics({"jailbreak_resistance": 0.9}))

test_tier1_jailbreak_resistance_below_threshold_fails if {
	metric_fails(fx.with_metrics({"jailbreak_resistance": 0.81}), "jailbreak_resistance 0.81 is below the risk tier 1 minimum of 0.9")
}

test_tier1_hallucination_rate_at_threshold_passes if metric_ok(fx.with_metrics({"hallucination_rate": 0.05}))

test_tier1_hallucination_rate_above_threshold_fails if {
	metric_fails(fx.with_metrics({"hallucination_rate": 0.051}), "hallucination_rate 0.051 is above the risk tier 1 maximum of 0.05")
}

test_tier1_fairness_gap_at_threshold_passes if metric_ok(fx.with_metrics({"fairness_gap": 0.03}))

test_tier1_fairness_gap_above_threshold_fails if {
	metric_fails(fx.with_metrics({"fairness_gap": 0.031}), "fairness_gap 0.031 is above the risk tier 1 maximum of 0.03")
}

test_each_failing_metric_is_its_own_reason if {
	d := fx.decide(fx.with_metrics({"safety": 0.5, "toxicity": 0.5}))
	count([r | some r in d.reasons; r.control == "AIGOV-EVAL-02"]) == 2
}

# --- AIGOV-EVAL-02: lower tiers are looser -----------------------------------------------------

test_tier2_safety_at_threshold_passes if metric_ok(tier2({"model": {"evaluation": {"metrics": {"safety": 0.93}}}}))

test_tier2_safety_below_threshold_fails if {
	metric_fails(tier2({"model": {"evaluation": {"metrics": {"safety": 0.929}}}}), "safety 0.929 is below the risk tier 2 minimum of 0.93")
}

test_tier2_toxicity_at_threshold_passes if metric_ok(tier2({"model": {"evaluation": {"metrics": {"toxicity": 0.05}}}}))

test_tier2_toxicity_above_threshold_fails if {
	metric_fails(tier2({"model": {"evaluation": {"metrics": {"toxicity": 0.051}}}}), "toxicity 0.051 is above the risk tier 2 maximum of 0.05")
}

test_tier3_safety_at_threshold_passes if metric_ok(tier3({"model": {"evaluation": {"metrics": {"safety": 0.85}}}}))

test_tier3_safety_below_threshold_fails if {
	metric_fails(tier3({"model": {"evaluation": {"metrics": {"safety": 0.849}}}}), "safety 0.849 is below the risk tier 3 minimum of 0.85")
}

test_metric_without_configured_direction_fails_closed if {
	d := data.ai.deployment.decision with input as fx.base_request with time.now_ns as fx.now_ns with data.ai.deployment.config.evaluation.metrics.safety as {}
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
	contains(fx.messages(d, "AIGOV-EVAL-02"), "direction")
}

# --- AIGOV-EVAL-03 -----------------------------------------------------------------------------

test_evaluation_of_another_version_is_stale if {
	d := fx.decide(fx.request({"model": {"evaluation": {"model_version": "3.1.0"}}}))
	fx.denied_by(d, "AIGOV-EVAL-03", "STALE_EVALUATION")
	fx.messages(d, "AIGOV-EVAL-03") == "evaluation is of model version 3.1.0, not the version being deployed (3.2.0)"
}

test_evaluation_without_model_version_is_stale if {
	d := fx.decide(fx.request({"model": {"evaluation": {"model_version": absent}}}))
	fx.denied_by(d, "AIGOV-EVAL-03", "STALE_EVALUATION")
}

test_unparseable_completion_time_is_stale if {
	d := fx.decide(fx.request({"model": {"evaluation": {"completed_at": "last week"}}}))
	fx.denied_by(d, "AIGOV-EVAL-03", "STALE_EVALUATION")
	contains(fx.messages(d, "AIGOV-EVAL-03"), "RFC 3339")
}

test_tier1_evaluation_fresh_one_nanosecond_before_90_days if {
	stale_at := fx.ns("2026-11-20T10:00:00Z") + fx.days_ns(90)
	d := fx.decide_at(fx.base_request, stale_at - 1)
	fx.allowed(d)
}

test_tier1_evaluation_stale_at_90_days if {
	stale_at := fx.ns("2026-11-20T10:00:00Z") + fx.days_ns(90)
	d := fx.decide_at(fx.base_request, stale_at)
	fx.denied_by(d, "AIGOV-EVAL-03", "STALE_EVALUATION")
	contains(fx.messages(d, "AIGOV-EVAL-03"), "90-day freshness window for risk tier 1 (stale since 2027-02-18T10:00:00Z)")
}

test_tier3_evaluation_still_fresh_after_90_days if {
	d := fx.decide_at(tier3({}), fx.ns("2026-11-20T10:00:00Z") + fx.days_ns(200))
	fx.allowed(d)
}

test_tier3_evaluation_stale_at_365_days if {
	d := fx.decide_at(tier3({}), fx.ns("2026-11-20T10:00:00Z") + fx.days_ns(365))
	fx.denied_by(d, "AIGOV-EVAL-03", "STALE_EVALUATION")
}

test_tier2_evaluation_stale_at_180_days if {
	req := tier2({})
	fx.allowed(fx.decide_at(req, (fx.ns("2026-11-20T10:00:00Z") + fx.days_ns(180)) - 1))
	fx.denied_by(fx.decide_at(req, fx.ns("2026-11-20T10:00:00Z") + fx.days_ns(180)), "AIGOV-EVAL-03", "STALE_EVALUATION")
}

test_completion_time_with_offset_is_understood if {
	fx.allowed(fx.decide(fx.request({"model": {"evaluation": {"completed_at": "2026-11-20T11:00:00+01:00"}}})))
}

test_evaluation_dated_in_the_future_is_denied if {
	d := fx.decide(fx.request({"model": {"evaluation": {"completed_at": "2027-01-01T00:00:00Z"}}}))
	fx.denied_by(d, "AIGOV-EVAL-03", "STALE_EVALUATION")
	contains(fx.messages(d, "AIGOV-EVAL-03"), "in the future")
	d.valid_until == "2027-01-01T00:00:00Z"
}
