package ai.deployment.targets_test

import data.ai.deployment.fixtures_test as fx
import data.ai.lib.patch_test.absent

test_unknown_environment_is_denied if {
	d := fx.decide(fx.request({"deployment": {"environment": "production"}}))
	fx.denied_by(d, "AIGOV-ENV-01", "UNKNOWN_ENVIRONMENT")
	contains(fx.messages(d, "AIGOV-ENV-01"), "production")
}

test_environment_is_case_sensitive if {
	d := fx.decide(fx.request({"deployment": {"environment": "Prod"}}))
	fx.denied_by(d, "AIGOV-ENV-01", "UNKNOWN_ENVIRONMENT")
}

test_unknown_environment_still_gets_supply_chain_checks if {
	d := fx.decide(fx.request({"deployment": {"environment": "qa"}, "model": {"artifact": {"signed": false}}}))
	fx.denied_by(d, "AIGOV-SUP-01", "UNSIGNED_ARTIFACT")
}

test_unknown_exposure_is_denied if {
	d := fx.decide(fx.request({"deployment": {"exposure": "everyone"}}))
	fx.denied_by(d, "AIGOV-ENV-01", "UNKNOWN_EXPOSURE")
}

test_missing_exposure_is_denied if {
	d := fx.decide(fx.request({"deployment": {"exposure": absent}}))
	fx.denied_by(d, "AIGOV-ENV-01", "UNKNOWN_EXPOSURE")
}

test_customer_facing_release_is_held_to_tier_1_whatever_the_declared_tier if {
	# declared tier 3; safety 0.9 passes tier 3 (0.85) but not tier 1 (0.97)
	d := fx.decide(fx.request({"model": {"risk_tier": 3, "evaluation": {"metrics": {"safety": 0.9}}}}))
	fx.denied_by(d, "AIGOV-EVAL-02", "EVAL_BELOW_THRESHOLD")
	fx.messages(d, "AIGOV-EVAL-02") == "safety 0.9 is below the risk tier 1 minimum of 0.97"
}

test_internal_release_uses_the_declared_tier if {
	d := fx.decide(fx.request({
		"deployment": {"exposure": "internal"},
		"model": {"risk_tier": 3, "evaluation": {"metrics": {"safety": 0.9, "jailbreak_resistance": absent, "fairness_gap": absent}}},
	}))
	fx.allowed(d)
}

test_partner_exposure_caps_the_tier_at_2 if {
	# declared tier 3 without jailbreak_resistance: tier 2 requires it
	d := fx.decide(fx.request({
		"deployment": {"exposure": "partner"},
		"model": {"risk_tier": 3, "evaluation": {"metrics": {"jailbreak_resistance": absent}}},
	}))
	fx.denied_by(d, "AIGOV-EVAL-01", "MISSING_EVALUATION")
	contains(fx.messages(d, "AIGOV-EVAL-01"), "risk tier 2")
}

test_unknown_environment_cannot_be_waived if {
	entries := [{
		"id": "EXC-T-1", "control": "AIGOV-ENV-01", "scope": {"model": "fraud-scorer", "version": "3.2.0"},
		"approver": "u-42", "compensating_controls": ["none"], "expires_at": "2031-01-01T00:00:00Z",
	}]
	d := fx.decide_with_exceptions(fx.request({"deployment": {"environment": "qa", "exposure": "internal"}, "model": {"risk_tier": 3}}), entries, fx.now_ns)
	fx.denied_by(d, "AIGOV-ENV-01", "UNKNOWN_ENVIRONMENT")
	contains(fx.messages(d, "AIGOV-ENV-01"), "NON_WAIVABLE")
	d.exceptions_applied == []
}
