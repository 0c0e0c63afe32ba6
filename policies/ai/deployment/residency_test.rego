package ai.deployment.residency_test

import data.ai.deployment.fixtures_test as fx
import data.ai.lib.patch_test.absent

test_confidential_model_outside_allowed_regions_is_denied if {
	d := fx.decide(fx.request({"deployment": {"region": "us-east-1"}}))
	fx.denied_by(d, "AIGOV-DATA-01", "DATA_RESIDENCY")
	fx.messages(d, "AIGOV-DATA-01") == "confidential model may not run in region us-east-1 (allowed: eu-central-1, eu-west-1)"
}

test_confidential_model_in_second_allowed_region_is_allowed if {
	fx.allowed(fx.decide(fx.request({"deployment": {"region": "eu-central-1"}})))
}

test_restricted_model_only_in_its_narrower_region_list if {
	d := fx.decide(fx.request({"model": {"data_classification": "restricted"}}))
	fx.denied_by(d, "AIGOV-DATA-01", "DATA_RESIDENCY")
	fx.allowed(fx.decide(fx.request({"model": {"data_classification": "restricted"}, "deployment": {"region": "eu-central-1"}})))
}

test_internal_data_model_may_run_anywhere if {
	fx.allowed(fx.decide(fx.request({"model": {"data_classification": "internal"}, "deployment": {"region": "us-east-1"}})))
}

test_missing_region_is_denied_for_regulated_data if {
	d := fx.decide(fx.request({"deployment": {"region": absent}}))
	fx.denied_by(d, "AIGOV-DATA-01", "DATA_RESIDENCY")
}

test_unknown_classification_is_treated_as_restricted if {
	d := fx.decide(fx.request({"model": {"data_classification": absent}}))
	fx.denied_by(d, "AIGOV-DATA-01", "DATA_RESIDENCY")
	startswith(fx.messages(d, "AIGOV-DATA-01"), "restricted model")
}
