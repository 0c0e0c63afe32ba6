# AIGOV-REQ-01: every model-deployment entry point (the decision document and the boolean for simple OPA
# clients) denies, with INVALID_REQUEST, when there is no request: no input, an input that is not
# an object, a request under the wrong key, or one without a required field.
package ai.deployment.request_shape_test

import data.ai.lib.patch_test.absent
import data.ai.deployment.fixtures_test as fx


# invalid(d): the decision denies and says the request is not one (INVALID_REQUEST, AIGOV-REQ-01).
invalid(d) if {
	d.allow == false
	some reason in d.reasons
	reason.code == "INVALID_REQUEST"
	reason.control == "AIGOV-REQ-01"
}

messages(d) := fx.messages(d, "AIGOV-REQ-01")

# --- every entry point x every input that is not a request ------------------------------

test_decision_without_input_is_invalid if invalid(data.ai.deployment.decision)

test_allow_without_input_is_false if data.ai.deployment.allow == false

test_decision_with_empty_object_is_invalid if invalid(data.ai.deployment.decision) with input as {}

test_allow_with_empty_object_is_false if data.ai.deployment.allow == false with input as {}

test_decision_with_a_string_is_invalid if invalid(data.ai.deployment.decision) with input as "x"

test_allow_with_a_string_is_false if data.ai.deployment.allow == false with input as "x"

test_decision_with_a_number_is_invalid if invalid(data.ai.deployment.decision) with input as 17

test_allow_with_a_number_is_false if data.ai.deployment.allow == false with input as 17

test_decision_with_an_empty_array_is_invalid if invalid(data.ai.deployment.decision) with input as []

test_allow_with_an_empty_array_is_false if data.ai.deployment.allow == false with input as []

test_decision_with_the_request_in_an_array_is_invalid if invalid(data.ai.deployment.decision) with input as [fx.base_request]

test_allow_with_the_request_in_an_array_is_false if data.ai.deployment.allow == false with input as [fx.base_request]

test_decision_with_null_is_invalid if invalid(data.ai.deployment.decision) with input as null

test_allow_with_null_is_false if data.ai.deployment.allow == false with input as null

test_decision_with_true_is_invalid if invalid(data.ai.deployment.decision) with input as true

test_allow_with_true_is_false if data.ai.deployment.allow == false with input as true

test_decision_with_false_is_invalid if invalid(data.ai.deployment.decision) with input as false

test_allow_with_false_is_false if data.ai.deployment.allow == false with input as false

test_decision_with_a_misspelled_input_key_is_invalid if invalid(data.ai.deployment.decision) with input as {"Input": fx.base_request}

test_allow_with_a_misspelled_input_key_is_false if data.ai.deployment.allow == false with input as {"Input": fx.base_request}

test_decision_with_the_request_wrapped_twice_is_invalid if invalid(data.ai.deployment.decision) with input as {"input": fx.base_request}

test_allow_with_the_request_wrapped_twice_is_false if data.ai.deployment.allow == false with input as {"input": fx.base_request}

test_decision_without_model_is_invalid if invalid(data.ai.deployment.decision) with input as fx.request({"model": absent})

test_allow_without_model_is_false if data.ai.deployment.allow == false with input as fx.request({"model": absent})

test_decision_without_model_name_is_invalid if invalid(data.ai.deployment.decision) with input as fx.request({"model": {"name": absent}})

test_allow_without_model_name_is_false if data.ai.deployment.allow == false with input as fx.request({"model": {"name": absent}})

test_decision_with_an_empty_model_name_is_invalid if invalid(data.ai.deployment.decision) with input as fx.request({"model": {"name": ""}})

test_allow_with_an_empty_model_name_is_false if data.ai.deployment.allow == false with input as fx.request({"model": {"name": ""}})

test_decision_without_model_version_is_invalid if invalid(data.ai.deployment.decision) with input as fx.request({"model": {"version": absent}})

test_allow_without_model_version_is_false if data.ai.deployment.allow == false with input as fx.request({"model": {"version": absent}})

test_decision_with_a_numeric_model_version_is_invalid if invalid(data.ai.deployment.decision) with input as fx.request({"model": {"version": 3}})

test_allow_with_a_numeric_model_version_is_false if data.ai.deployment.allow == false with input as fx.request({"model": {"version": 3}})

test_decision_without_deployment_is_invalid if invalid(data.ai.deployment.decision) with input as fx.request({"deployment": absent})

test_allow_without_deployment_is_false if data.ai.deployment.allow == false with input as fx.request({"deployment": absent})

test_decision_without_environment_is_invalid if invalid(data.ai.deployment.decision) with input as fx.request({"deployment": {"environment": absent}})

test_allow_without_environment_is_false if data.ai.deployment.allow == false with input as fx.request({"deployment": {"environment": absent}})

test_decision_with_the_deployment_as_a_string_is_invalid if invalid(data.ai.deployment.decision) with input as fx.request({"deployment": "prod"})

test_allow_with_the_deployment_as_a_string_is_false if data.ai.deployment.allow == false with input as fx.request({"deployment": "prod"})

test_decision_with_the_model_as_an_array_is_invalid if invalid(data.ai.deployment.decision) with input as fx.request({"model": [fx.base_request.model]})

test_allow_with_the_model_as_an_array_is_false if data.ai.deployment.allow == false with input as fx.request({"model": [fx.base_request.model]})

# --- what the reasons say -----------------------------------------------------------------------

test_no_input_is_named if {
	messages(data.ai.deployment.decision) == "there is no request: the input document is missing"
}

test_the_type_of_a_non_object_input_is_named if {
	messages(data.ai.deployment.decision) == "the request must be a JSON object, not number" with input as 1
	messages(data.ai.deployment.decision) == "the request must be a JSON object, not boolean" with input as false
}

test_every_missing_field_is_named_once if {
	d := fx.decide({})
	fx.denied_by(d, "AIGOV-REQ-01", "INVALID_REQUEST")
	messages(d) == "request field deployment.environment is missing or not a non-empty string | request field model.name is missing or not a non-empty string | request field model.version is missing or not a non-empty string"
}

test_a_complete_request_is_not_flagged if {
	fx.not_flagged(fx.decide(fx.base_request), "AIGOV-REQ-01")
	fx.not_flagged(fx.decide({"model": {"name": "m", "version": "1"}, "deployment": {"environment": "dev"}}), "AIGOV-REQ-01")
}

# An exception filed against the request-shape control never applies, whatever config/exceptions
# says is waivable: the request stays denied and the exception is reported as refused.
test_request_shape_cannot_be_waived if {
	exception := {
		"id": "EXC-REQ", "control": "AIGOV-REQ-01", "approver": "u-42",
		"compensating_controls": ["none"], "expires_at": "2031-01-01T00:00:00Z",
		"scope": {"model": "fraud-scorer", "version": "3.2.0"},
	}
	d := fx.decide_with_exceptions(fx.request({"deployment": {"environment": absent}}), [exception], fx.now_ns)
	fx.denied_by(d, "AIGOV-REQ-01", "INVALID_REQUEST")
	fx.denied_by(d, "AIGOV-EXC-01", "NON_WAIVABLE")
	d.exceptions_applied == []
}

test_missing_request_configuration_fails_closed if {
	d := data.ai.deployment.decision with input as fx.base_request with data.ai.deployment.config.request as null with time.now_ns as fx.now_ns
	fx.denied_by(d, "AIGOV-POLICY", "POLICY_ERROR")
}
