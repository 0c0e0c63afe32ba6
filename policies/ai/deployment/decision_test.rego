# The decision document as a whole: shape, default deny, ordering, valid_until.
package ai.deployment.decision_test

import data.ai.deployment.fixtures_test as fx
import data.ai.lib.patch_test.absent

test_compliant_tier1_prod_release_is_allowed if {
	d := fx.decide(fx.base_request)
	fx.allowed(d)
	d.obligations == []
	d.exceptions_applied == []
}

test_allowed_release_is_valid_until_its_evaluation_goes_stale if {
	# completed 2026-11-20T10:00:00Z + 90 days (tier 1) = 2027-02-18T10:00:00Z
	d := fx.decide(fx.base_request)
	d.valid_until == "2027-02-18T10:00:00Z"
}

test_allow_boolean_matches_the_decision if {
	data.ai.deployment.allow with input as fx.base_request with time.now_ns as fx.now_ns
	not data.ai.deployment.allow with input as fx.request({"model": {"license": "gpl-3.0"}}) with time.now_ns as fx.now_ns
}

test_empty_request_is_denied_with_reasons if {
	d := fx.decide({})
	d.allow == false
	fx.denied_by(d, "AIGOV-META-01", "MISSING_METADATA")
	fx.denied_by(d, "AIGOV-ENV-01", "UNKNOWN_ENVIRONMENT")
	fx.denied_by(d, "AIGOV-ENV-01", "UNKNOWN_EXPOSURE")
	fx.denied_by(d, "AIGOV-REG-01", "UNAPPROVED_REGISTRY")
	fx.denied_by(d, "AIGOV-SUP-01", "UNSIGNED_ARTIFACT")
	fx.denied_by(d, "AIGOV-LIC-01", "LICENSE_NOT_ALLOWED")
	fx.denied_by(d, "AIGOV-EVAL-01", "MISSING_EVALUATION")
	fx.denied_by(d, "AIGOV-EVAL-03", "STALE_EVALUATION")
}

test_request_with_mistyped_sections_is_denied if {
	d := fx.decide({"model": "fraud-scorer", "deployment": ["prod"], "approvals": "yes"})
	d.allow == false
	fx.denied_by(d, "AIGOV-META-01", "MISSING_METADATA")
}

test_missing_configuration_fails_closed if {
	d := data.ai.deployment.decision with input as fx.base_request with time.now_ns as fx.now_ns with data.ai.deployment.config as {}
	fx.denied_by(d, "AIGOV-POLICY", "POLICY_ERROR")
}

test_reasons_are_sorted_by_control_then_code if {
	d := fx.decide(fx.request({"model": {"license": "gpl-3.0", "owner": absent, "artifact": {"signed": false}}}))
	controls := [reason.control | some reason in d.reasons]
	controls == ["AIGOV-LIC-01", "AIGOV-META-01", "AIGOV-SUP-01"]
}

test_every_reason_has_code_control_and_message if {
	d := fx.decide({})
	every reason in d.reasons {
		is_string(reason.code)
		is_string(reason.control)
		is_string(reason.message)
		count(reason) == 3
	}
}

test_dev_release_skips_supply_chain_and_evaluation_gates if {
	d := fx.decide(fx.request({
		"deployment": {"environment": "dev", "exposure": "internal"},
		"model": {"risk_tier": 3, "artifact": {"signed": false, "digest": absent}, "evaluation": {"metrics": {}, "completed_at": absent}},
		"approvals": [],
	}))
	fx.allowed(d)
	not d.valid_until
}

test_decision_does_not_depend_on_clock_when_nothing_can_expire if {
	# dev release, no exception: the decision carries no valid_until
	d := fx.decide(fx.request({"deployment": {"environment": "dev", "exposure": "internal"}, "model": {"risk_tier": 3}}))
	not "valid_until" in object.keys(d)
}
