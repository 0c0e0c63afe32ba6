package ai.deployment.metadata_test

import data.ai.deployment.fixtures_test as fx
import data.ai.lib.patch_test.absent

test_missing_owner_is_denied if {
	d := fx.decide(fx.request({"model": {"owner": absent}}))
	fx.denied_by(d, "AIGOV-META-01", "MISSING_METADATA")
	fx.messages(d, "AIGOV-META-01") == "registry metadata missing or invalid: owner"
}

test_blank_owner_is_denied if {
	d := fx.decide(fx.request({"model": {"owner": "   "}}))
	fx.denied_by(d, "AIGOV-META-01", "MISSING_METADATA")
}

test_message_lists_every_missing_field_sorted if {
	d := fx.decide(fx.request({"model": {
		"owner": absent,
		"intended_use": absent,
		"retention_days": absent,
		"data_classification": absent,
		"evaluation": {"evidence_url": absent},
	}}))
	fx.messages(d, "AIGOV-META-01") == "registry metadata missing or invalid: data_classification, evaluation.evidence_url, intended_use, owner, retention_days"
}

test_evidence_url_must_be_https if {
	d := fx.decide(fx.request({"model": {"evaluation": {"evidence_url": "http://evals.internal/runs/1"}}}))
	contains(fx.messages(d, "AIGOV-META-01"), "evaluation.evidence_url")
}

test_retention_days_zero_is_invalid if {
	d := fx.decide(fx.request({"model": {"retention_days": 0}}))
	contains(fx.messages(d, "AIGOV-META-01"), "retention_days")
}

test_retention_days_one_is_valid if {
	fx.allowed(fx.decide(fx.request({"model": {"retention_days": 1}})))
}

test_retention_days_must_be_a_number if {
	d := fx.decide(fx.request({"model": {"retention_days": "365"}}))
	contains(fx.messages(d, "AIGOV-META-01"), "retention_days")
}

test_unknown_data_classification_is_invalid if {
	d := fx.decide(fx.request({"model": {"data_classification": "secret-ish"}}))
	contains(fx.messages(d, "AIGOV-META-01"), "data_classification")
}

test_unknown_risk_tier_is_invalid_and_treated_as_tier_1 if {
	d := fx.decide(fx.request({
		"deployment": {"exposure": "internal"},
		"model": {"risk_tier": 7, "evaluation": {"metrics": {"jailbreak_resistance": 0.85}}},
	}))
	contains(fx.messages(d, "AIGOV-META-01"), "risk_tier")

	# tier-1 threshold (0.9) applies, although tier 2/3 would accept 0.85
	contains(fx.messages(d, "AIGOV-EVAL-02"), "risk tier 1")
}

test_risk_tier_as_string_is_invalid if {
	d := fx.decide(fx.request({"model": {"risk_tier": "1"}}))
	contains(fx.messages(d, "AIGOV-META-01"), "risk_tier")
}

test_metadata_is_required_in_dev_too if {
	d := fx.decide(fx.request({"deployment": {"environment": "dev"}, "model": {"owner": absent}}))
	fx.denied_by(d, "AIGOV-META-01", "MISSING_METADATA")
}
