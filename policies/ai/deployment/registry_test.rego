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

# Messages never echo the secrets a URI can carry: credentials, a signed URL's query string.
test_artifact_message_drops_credentials_query_and_fragment if {
	uri := "https://build:s3cr3t-t0ken@downloads.example.net/models/fraud-scorer.tar?X-Amz-Signature=abc123&X-Amz-Credential=AKIA#frag"
	d := fx.decide(fx.request({"model": {"artifact": {"uri": uri}}}))
	fx.denied_by(d, "AIGOV-REG-01", "UNAPPROVED_REGISTRY")
	fx.messages(d, "AIGOV-REG-01") == "artifact https://downloads.example.net/models/fraud-scorer.tar is not stored in an approved registry"
}

test_artifact_message_keeps_an_oci_digest if {
	uri := concat("", ["evil.example.net/models/fraud-scorer@", fx.digest])
	d := fx.decide(fx.request({"model": {"artifact": {"uri": uri}}}))
	fx.messages(d, "AIGOV-REG-01") == sprintf("artifact %s is not stored in an approved registry", [uri])
}

test_artifact_uri_is_echoed_as_given_when_configured if {
	uri := "https://build:tok@downloads.example.net/m.tar?sig=abc"
	d := data.ai.deployment.decision with input as fx.request({"model": {"artifact": {"uri": uri}}})
		with time.now_ns as fx.now_ns
		with data.ai.deployment.config.registries.echo_request_values as true
	fx.messages(d, "AIGOV-REG-01") == sprintf("artifact %s is not stored in an approved registry", [uri])
}
