package ai.deployment.license_test

import data.ai.deployment.fixtures_test as fx
import data.ai.lib.patch_test.absent

test_copyleft_license_is_denied_for_customer_facing_use if {
	d := fx.decide(fx.request({"model": {"license": "agpl-3.0"}}))
	fx.denied_by(d, "AIGOV-LIC-01", "LICENSE_NOT_ALLOWED")
	contains(fx.messages(d, "AIGOV-LIC-01"), "agpl-3.0")
	contains(fx.messages(d, "AIGOV-LIC-01"), "customer_facing")
}

test_license_match_ignores_case_and_spaces if {
	fx.allowed(fx.decide(fx.request({"model": {"license": " Apache-2.0 "}})))
}

test_community_license_is_allowed_internally if {
	d := fx.decide(fx.request({"deployment": {"exposure": "internal"}, "model": {"license": "llama3.1-community"}}))
	fx.not_flagged(d, "AIGOV-LIC-01")
}

test_community_license_is_denied_for_customer_facing_use if {
	d := fx.decide(fx.request({"model": {"license": "llama3.1-community"}}))
	fx.denied_by(d, "AIGOV-LIC-01", "LICENSE_NOT_ALLOWED")
}

test_missing_license_is_denied if {
	d := fx.decide(fx.request({"model": {"license": absent}}))
	fx.denied_by(d, "AIGOV-LIC-01", "LICENSE_NOT_ALLOWED")
	contains(fx.messages(d, "AIGOV-LIC-01"), "(none)")
}

test_unknown_exposure_allows_no_license if {
	d := fx.decide(fx.request({"deployment": {"exposure": "everyone"}}))
	fx.denied_by(d, "AIGOV-LIC-01", "LICENSE_NOT_ALLOWED")
}
