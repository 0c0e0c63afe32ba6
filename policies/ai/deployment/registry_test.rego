package ai.deployment.registry_test

import data.ai.deployment.fixtures_test as fx
import data.ai.lib.patch_test.absent

test_model_from_unapproved_registry_is_denied if {
	d := fx.decide(fx.request({"model": {"registry": "huggingface.co/someone"}}))
	fx.denied_by(d, "AIGOV-REG-01", "UNAPPROVED_REGISTRY")
	contains(fx.messages(d, "AIGOV-REG-01"), "huggingface.co/someone")
}

test_missing_registry_is_denied if {
	d := fx.decide(fx.request({"model": {"registry": absent}}))
	fx.denied_by(d, "AIGOV-REG-01", "UNAPPROVED_REGISTRY")
}

test_second_approved_registry_is_allowed if {
	d := fx.decide(fx.request({"model": {
		"registry": "registry.internal/vendor-models",
		"artifact": {"uri": concat("", ["registry.internal/vendor-models/fraud-scorer@", fx.digest])},
	}}))
	fx.allowed(d)
}

test_artifact_outside_approved_registries_is_denied if {
	d := fx.decide(fx.request({"model": {"artifact": {"uri": "s3://scratch-bucket/fraud-scorer.tar"}}}))
	fx.denied_by(d, "AIGOV-REG-01", "UNAPPROVED_REGISTRY")
	contains(fx.messages(d, "AIGOV-REG-01"), "s3://scratch-bucket")
}

test_artifact_uri_with_scheme_is_accepted if {
	fx.allowed(fx.decide(fx.request({"model": {"artifact": {"uri": concat("", ["oci://registry.internal/models/fraud-scorer@", fx.digest])}}})))
}

test_registry_prefix_lookalike_is_denied if {
	d := fx.decide(fx.request({"model": {"artifact": {"uri": "registry.internal/models-mirror/fraud-scorer:3.2.0"}}}))
	fx.denied_by(d, "AIGOV-REG-01", "UNAPPROVED_REGISTRY")
}
