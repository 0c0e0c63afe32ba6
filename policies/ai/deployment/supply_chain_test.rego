package ai.deployment.supply_chain_test

import data.ai.deployment.fixtures_test as fx
import data.ai.lib.patch_test.absent

test_unsigned_artifact_in_prod_is_denied if {
	d := fx.decide(fx.request({"model": {"artifact": {"signed": false}}}))
	fx.denied_by(d, "AIGOV-SUP-01", "UNSIGNED_ARTIFACT")
}

test_unsigned_artifact_in_staging_is_denied if {
	d := fx.decide(fx.request({"deployment": {"environment": "staging"}, "model": {"artifact": {"signed": false}}}))
	fx.denied_by(d, "AIGOV-SUP-01", "UNSIGNED_ARTIFACT")
}

test_signed_must_be_boolean_true if {
	d := fx.decide(fx.request({"model": {"artifact": {"signed": "true"}}}))
	fx.denied_by(d, "AIGOV-SUP-01", "UNSIGNED_ARTIFACT")
}

test_missing_digest_is_unpinned if {
	d := fx.decide(fx.request({"model": {"artifact": {"digest": absent}}}))
	fx.denied_by(d, "AIGOV-SUP-01", "UNPINNED_ARTIFACT")
}

test_tag_instead_of_digest_is_unpinned if {
	d := fx.decide(fx.request({"model": {"artifact": {"digest": "latest"}}}))
	fx.denied_by(d, "AIGOV-SUP-01", "UNPINNED_ARTIFACT")
}

test_digest_with_63_hex_digits_is_unpinned if {
	d := fx.decide(fx.request({"model": {"artifact": {"digest": substring(fx.digest, 0, 70)}}}))
	count(substring(fx.digest, 0, 70)) == 70
	fx.denied_by(d, "AIGOV-SUP-01", "UNPINNED_ARTIFACT")
}

test_non_sha256_digest_is_unpinned if {
	d := fx.decide(fx.request({"model": {"artifact": {"digest": replace(fx.digest, "sha256:", "md5:")}}}))
	fx.denied_by(d, "AIGOV-SUP-01", "UNPINNED_ARTIFACT")
}

test_dev_does_not_require_signing_or_pinning if {
	d := fx.decide(fx.request({"deployment": {"environment": "dev"}, "model": {"artifact": {"signed": false, "digest": absent}}}))
	fx.not_flagged(d, "AIGOV-SUP-01")
}

test_tier_1_denial_says_non_waivable if {
	d := fx.decide(fx.request({"model": {"artifact": {"signed": false}}}))
	contains(fx.messages(d, "AIGOV-SUP-01"), "NON_WAIVABLE")
}

test_tier_2_denial_is_waivable if {
	d := fx.decide(fx.request({
		"deployment": {"exposure": "partner"},
		"model": {"risk_tier": 2, "artifact": {"signed": false}},
	}))
	fx.denied_by(d, "AIGOV-SUP-01", "UNSIGNED_ARTIFACT")
	not contains(fx.messages(d, "AIGOV-SUP-01"), "NON_WAIVABLE")
}
