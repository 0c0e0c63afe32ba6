package ai.deployment.exceptions_test

import data.ai.deployment.fixtures_test as fx
import data.ai.lib.patch_test.absent
import data.ai.lib.patch_test.patched

# An exception for fraud-scorer 3.2.0's fairness gap, and a request that needs it.
exception(patch) := patched(
	{
		"id": "EXC-T-100",
		"control": "AIGOV-EVAL-02",
		"scope": {"model": "fraud-scorer", "version": "3.2.0"},
		"approver": "u-42",
		"compensating_controls": ["daily fairness review of declined transactions"],
		"expires_at": "2027-01-31T00:00:00Z",
	},
	patch,
)

unfair := fx.with_metrics({"fairness_gap": 0.05})

expires_ns := fx.ns("2027-01-31T00:00:00Z")

# --- applying and expiring -----------------------------------------------------------------------

test_exception_in_force_waives_its_control if {
	d := fx.decide_with_exceptions(unfair, [exception({})], fx.now_ns)
	fx.allowed(d)
	d.exceptions_applied == [{
		"id": "EXC-T-100",
		"control": "AIGOV-EVAL-02",
		"approver": "u-42",
		"compensating_controls": ["daily fairness review of declined transactions"],
		"expires_at": "2027-01-31T00:00:00Z",
	}]
	d.obligations == [{
		"type": "enforce_compensating_controls",
		"control": "AIGOV-EVAL-02",
		"exception_id": "EXC-T-100",
		"compensating_controls": ["daily fairness review of declined transactions"],
		"until": "2027-01-31T00:00:00Z",
	}]
}

test_valid_until_is_the_exception_expiry_when_it_comes_first if {
	d := fx.decide_with_exceptions(unfair, [exception({})], fx.now_ns)
	d.valid_until == "2027-01-31T00:00:00Z"
}

test_valid_until_is_evaluation_staleness_when_it_comes_first if {
	d := fx.decide_with_exceptions(unfair, [exception({"expires_at": "2031-01-01T00:00:00Z"})], fx.now_ns)
	d.valid_until == "2027-02-18T10:00:00Z"
}

test_exception_applies_one_nanosecond_before_expiry if {
	d := fx.decide_with_exceptions(unfair, [exception({})], expires_ns - 1)
	fx.allowed(d)
	count(d.exceptions_applied) == 1
}

test_exception_no_longer_applies_at_expiry if {
	d := fx.decide_with_exceptions(unfair, [exception({})], expires_ns)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
	d.exceptions_applied == []
	fx.messages(d, "AIGOV-EVAL-02") == "fairness_gap 0.05 is above the risk tier 1 maximum of 0.03; exception EXC-T-100 expired"
}

test_exception_waives_only_its_own_control if {
	req := fx.patched_twice({"model": {"license": "agpl-3.0"}}, {"model": {"evaluation": {"metrics": {"fairness_gap": 0.05}}}})
	d := fx.decide_with_exceptions(req, [exception({})], fx.now_ns)
	fx.denied_by(d, "AIGOV-LIC-01", "LICENSE_NOT_ALLOWED")
	fx.not_flagged(d, "AIGOV-EVAL-02")
	[e.id | some e in d.exceptions_applied] == ["EXC-T-100"]
}

test_exception_for_a_control_that_passes_is_not_listed if {
	d := fx.decide_with_exceptions(fx.base_request, [exception({})], fx.now_ns)
	fx.allowed(d)
	d.exceptions_applied == []
	d.valid_until == "2027-02-18T10:00:00Z"
}

test_all_applied_exceptions_are_listed_and_the_last_expiry_bounds_the_waiver if {
	entries := [
		exception({"id": "EXC-T-102", "expires_at": "2027-01-10T00:00:00Z"}),
		exception({"id": "EXC-T-101", "expires_at": "2026-12-15T00:00:00Z"}),
	]
	d := fx.decide_with_exceptions(unfair, entries, fx.now_ns)
	fx.allowed(d)
	[e.id | some e in d.exceptions_applied] == ["EXC-T-101", "EXC-T-102"]
	d.valid_until == "2027-01-10T00:00:00Z"
}

# --- scope -------------------------------------------------------------------------------------

test_exact_version_scope_does_not_cover_other_versions if {
	d := fx.decide_with_exceptions(unfair, [exception({"scope": {"version": "3.2.1"}})], fx.now_ns)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
}

test_version_range_lower_bound_is_inclusive if {
	scope := {"version": absent, "version_range": {"gte": "3.2.0", "lt": "4.0.0"}}
	fx.allowed(fx.decide_with_exceptions(unfair, [exception({"scope": scope})], fx.now_ns))
}

test_version_range_upper_bound_is_exclusive if {
	scope := {"version": absent, "version_range": {"gte": "3.0.0", "lt": "3.2.0"}}
	d := fx.decide_with_exceptions(unfair, [exception({"scope": scope})], fx.now_ns)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
}

test_version_range_inclusive_upper_bound if {
	scope := {"version": absent, "version_range": {"lte": "3.2.0"}}
	fx.allowed(fx.decide_with_exceptions(unfair, [exception({"scope": scope})], fx.now_ns))
}

test_version_range_exclusive_lower_bound if {
	scope := {"version": absent, "version_range": {"gt": "3.2.0"}}
	d := fx.decide_with_exceptions(unfair, [exception({"scope": scope})], fx.now_ns)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
}

test_version_range_with_unknown_operator_matches_nothing if {
	scope := {"version": absent, "version_range": {"since": "3.0.0"}}
	d := fx.decide_with_exceptions(unfair, [exception({"scope": scope})], fx.now_ns)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
}

test_environment_scope_limits_the_exception if {
	d := fx.decide_with_exceptions(unfair, [exception({"scope": {"environments": ["staging"]}})], fx.now_ns)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
	fx.allowed(fx.decide_with_exceptions(unfair, [exception({"scope": {"environments": ["staging", "prod"]}})], fx.now_ns))
}

test_exception_for_another_model_does_not_apply if {
	d := fx.decide_with_exceptions(unfair, [exception({"scope": {"model": "fraud-scorer-v2"}})], fx.now_ns)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
}

# --- malformed exceptions waive nothing ----------------------------------------------------------

test_exception_without_compensating_controls_is_ignored if {
	d := fx.decide_with_exceptions(unfair, [exception({"compensating_controls": []})], fx.now_ns)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
}

test_exception_without_approver_is_ignored if {
	d := fx.decide_with_exceptions(unfair, [exception({"approver": absent})], fx.now_ns)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
}

test_exception_with_unparseable_expiry_is_ignored if {
	d := fx.decide_with_exceptions(unfair, [exception({"expires_at": "end of quarter"})], fx.now_ns)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
}

test_exception_without_version_scope_is_ignored if {
	d := fx.decide_with_exceptions(unfair, [exception({"scope": {"version": absent}})], fx.now_ns)
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
}

# --- non-waivable controls ---------------------------------------------------------------------

supply_chain_exception := exception({"id": "EXC-T-200", "control": "AIGOV-SUP-01"})

test_tier1_supply_chain_exception_is_refused if {
	d := fx.decide_with_exceptions(fx.request({"model": {"artifact": {"signed": false}}}), [supply_chain_exception], fx.now_ns)
	fx.denied_by(d, "AIGOV-SUP-01", "UNSIGNED_ARTIFACT")
	fx.denied_by(d, "AIGOV-EXC-01", "NON_WAIVABLE")
	fx.messages(d, "AIGOV-EXC-01") == "exception EXC-T-200 cannot waive AIGOV-SUP-01 at risk tier 1"
	d.exceptions_applied == []
	contains(fx.messages(d, "AIGOV-SUP-01"), "NON_WAIVABLE")
	contains(fx.messages(d, "AIGOV-SUP-01"), "exception EXC-T-200 not applied (NON_WAIVABLE)")
}

test_tier2_supply_chain_exception_is_applied if {
	req := fx.request({"deployment": {"exposure": "partner"}, "model": {"risk_tier": 2, "artifact": {"signed": false}}})
	d := fx.decide_with_exceptions(req, [supply_chain_exception], fx.now_ns)
	fx.allowed(d)
	[e.id | some e in d.exceptions_applied] == ["EXC-T-200"]
}

# --- the exceptions shipped in config/exceptions -------------------------------------------------

churn_predictor(version, patch) := fx.patched_twice(
	{
		"model": {
			"name": "churn-predictor",
			"version": version,
			"artifact": {"uri": concat("", ["registry.internal/models/churn-predictor@", fx.digest])},
			"risk_tier": 2,
			"evaluation": {"model_version": version, "metrics": {"fairness_gap": 0.07}},
		},
		"deployment": {"exposure": "partner"},
	},
	patch,
)

test_shipped_exception_covers_churn_predictor_2x if {
	d := fx.decide(churn_predictor("2.4.0", {}))
	fx.allowed(d)
	[e.id | some e in d.exceptions_applied] == ["EXC-2026-014"]
}

test_shipped_exception_does_not_cover_churn_predictor_3 if {
	d := fx.decide(churn_predictor("3.0.0", {}))
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
}

test_shipped_expired_exception_is_named_in_the_denial if {
	req := fx.request({
		"model": {"name": "doc-summarizer", "version": "1.4.0", "license": "llama3.1-community", "evaluation": {"model_version": "1.4.0"}},
		"deployment": {"exposure": "partner"},
	})
	d := fx.decide(req)
	fx.denied_by(d, "AIGOV-LIC-01", "LICENSE_NOT_ALLOWED")
	endswith(fx.messages(d, "AIGOV-LIC-01"), "; exception EXC-2025-031 expired")
}

test_shipped_exceptions_are_well_formed if {
	every e in data.ai.deployment.config.exceptions.entries {
		data.ai.deployment.exception_well_formed(e)
	}
}
