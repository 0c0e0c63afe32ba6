# AGT-REQ-01: every tool-call entry point (the decision document and the boolean for simple OPA
# clients) denies, with INVALID_REQUEST, when there is no request: no input, an input that is not
# an object, a request under the wrong key, or one without a required field.
package ai.tools.request_shape_test

import data.ai.lib.patch_test.absent
import data.ai.tools.fixtures_test as fx


# invalid(d): the decision denies and says the request is not one (INVALID_REQUEST, AGT-REQ-01).
invalid(d) if {
	d.allow == false
	some reason in d.reasons
	reason.code == "INVALID_REQUEST"
	reason.control == "AGT-REQ-01"
}

messages(d) := fx.messages(d, "AGT-REQ-01")

# --- every entry point x every input that is not a request ------------------------------

test_decision_without_input_is_invalid if invalid(data.ai.tools.decision)

test_allow_without_input_is_false if data.ai.tools.allow == false

test_decision_with_empty_object_is_invalid if invalid(data.ai.tools.decision) with input as {}

test_allow_with_empty_object_is_false if data.ai.tools.allow == false with input as {}

test_decision_with_a_string_is_invalid if invalid(data.ai.tools.decision) with input as "x"

test_allow_with_a_string_is_false if data.ai.tools.allow == false with input as "x"

test_decision_with_a_number_is_invalid if invalid(data.ai.tools.decision) with input as 17

test_allow_with_a_number_is_false if data.ai.tools.allow == false with input as 17

test_decision_with_an_empty_array_is_invalid if invalid(data.ai.tools.decision) with input as []

test_allow_with_an_empty_array_is_false if data.ai.tools.allow == false with input as []

test_decision_with_the_request_in_an_array_is_invalid if invalid(data.ai.tools.decision) with input as [fx.base_request]

test_allow_with_the_request_in_an_array_is_false if data.ai.tools.allow == false with input as [fx.base_request]

test_decision_with_null_is_invalid if invalid(data.ai.tools.decision) with input as null

test_allow_with_null_is_false if data.ai.tools.allow == false with input as null

test_decision_with_true_is_invalid if invalid(data.ai.tools.decision) with input as true

test_allow_with_true_is_false if data.ai.tools.allow == false with input as true

test_decision_with_false_is_invalid if invalid(data.ai.tools.decision) with input as false

test_allow_with_false_is_false if data.ai.tools.allow == false with input as false

test_decision_with_a_misspelled_input_key_is_invalid if invalid(data.ai.tools.decision) with input as {"Input": fx.base_request}

test_allow_with_a_misspelled_input_key_is_false if data.ai.tools.allow == false with input as {"Input": fx.base_request}

test_decision_with_the_request_wrapped_twice_is_invalid if invalid(data.ai.tools.decision) with input as {"input": fx.base_request}

test_allow_with_the_request_wrapped_twice_is_false if data.ai.tools.allow == false with input as {"input": fx.base_request}

test_decision_without_agent_is_invalid if invalid(data.ai.tools.decision) with input as fx.request({"agent": absent})

test_allow_without_agent_is_false if data.ai.tools.allow == false with input as fx.request({"agent": absent})

test_decision_with_an_empty_agent_id_is_invalid if invalid(data.ai.tools.decision) with input as fx.request({"agent": {"id": ""}})

test_allow_with_an_empty_agent_id_is_false if data.ai.tools.allow == false with input as fx.request({"agent": {"id": ""}})

test_decision_with_a_blank_agent_id_is_invalid if invalid(data.ai.tools.decision) with input as fx.request({"agent": {"id": "   "}})

test_allow_with_a_blank_agent_id_is_false if data.ai.tools.allow == false with input as fx.request({"agent": {"id": "   "}})

test_decision_with_a_numeric_agent_id_is_invalid if invalid(data.ai.tools.decision) with input as fx.request({"agent": {"id": 17}})

test_allow_with_a_numeric_agent_id_is_false if data.ai.tools.allow == false with input as fx.request({"agent": {"id": 17}})

test_decision_with_the_agent_as_a_string_is_invalid if invalid(data.ai.tools.decision) with input as fx.request({"agent": "support-bot"})

test_allow_with_the_agent_as_a_string_is_false if data.ai.tools.allow == false with input as fx.request({"agent": "support-bot"})

test_decision_without_tool_is_invalid if invalid(data.ai.tools.decision) with input as fx.request({"tool": absent})

test_allow_without_tool_is_false if data.ai.tools.allow == false with input as fx.request({"tool": absent})

test_decision_without_tool_name_is_invalid if invalid(data.ai.tools.decision) with input as fx.request({"tool": {"name": absent}})

test_allow_without_tool_name_is_false if data.ai.tools.allow == false with input as fx.request({"tool": {"name": absent}})

test_decision_with_the_tool_name_in_an_array_is_invalid if invalid(data.ai.tools.decision) with input as fx.request({"tool": {"name": ["send_email"]}})

test_allow_with_the_tool_name_in_an_array_is_false if data.ai.tools.allow == false with input as fx.request({"tool": {"name": ["send_email"]}})

test_decision_with_the_tool_as_a_string_is_invalid if invalid(data.ai.tools.decision) with input as fx.request({"tool": "send_email"})

test_allow_with_the_tool_as_a_string_is_false if data.ai.tools.allow == false with input as fx.request({"tool": "send_email"})

# --- what the reasons say -----------------------------------------------------------------------

test_no_input_is_named if {
	messages(data.ai.tools.decision) == "there is no request: the input document is missing"
}

test_the_type_of_a_non_object_input_is_named if {
	messages(data.ai.tools.decision) == "the request must be a JSON object, not string" with input as "delete_customer"
	messages(data.ai.tools.decision) == "the request must be a JSON object, not array" with input as [fx.base_request]
	messages(data.ai.tools.decision) == "the request must be a JSON object, not null" with input as null
}

test_every_missing_field_is_named_once if {
	d := fx.decide({})
	fx.denied_by(d, "AGT-REQ-01", "INVALID_REQUEST")
	messages(d) == "request field agent.id is missing or not a non-empty string | request field tool.name is missing or not a non-empty string"
}

test_other_controls_still_fire_on_an_empty_request if {
	fx.denied_by(fx.decide({}), "AGT-CAT-01", "UNKNOWN_TOOL")
	fx.denied_by(data.ai.tools.decision, "AGT-CAT-01", "UNKNOWN_TOOL")
}

test_a_complete_request_is_not_flagged if {
	fx.not_flagged(fx.decide(fx.base_request), "AGT-REQ-01")
	fx.not_flagged(fx.decide({"agent": {"id": "a"}, "tool": {"name": "t"}}), "AGT-REQ-01")
}

test_a_non_object_request_is_reported_once if {
	d := data.ai.tools.decision with input as 17
	count([r | some r in d.reasons; r.control == "AGT-REQ-01"]) == 1
}

test_missing_request_configuration_fails_closed if {
	d := data.ai.tools.decision with input as fx.base_request with data.ai.tools.config.request as null
	fx.denied_by(d, "AGT-POLICY", "POLICY_ERROR")
}
