package ai.tools.decision_test

import data.ai.tools.fixtures_test as fx

test_compliant_email_call_is_allowed if {
	d := fx.decide(fx.base_request)
	fx.allowed(d)
	d.obligations == []
	d.exceptions_applied == []
	not "valid_until" in object.keys(d)
}

test_every_fixture_call_is_allowed if {
	fx.allowed(fx.decide(fx.refund(100, "EUR")))
	fx.allowed(fx.decide(fx.read_file("/workspace/notes.md")))
	fx.allowed(fx.decide(fx.write_file("/workspace/out/report.md")))
	fx.allowed(fx.decide(fx.sql("select count(*) from orders", ["analyst"])))
	fx.allowed(fx.decide(fx.webhook({"order": "ord-1", "status": "shipped"})))
	fx.allowed(fx.decide(fx.ticket({"title": "printer on fire", "priority": "high"})))
}

test_allow_boolean_matches_the_decision if {
	data.ai.tools.allow with input as fx.base_request
	not data.ai.tools.allow with input as fx.request({"tool": {"name": "rm_rf"}})
}

test_empty_request_is_denied if {
	d := fx.decide({})
	fx.denied_by(d, "AGT-REQ-01", "INVALID_REQUEST")
	fx.denied_by(d, "AGT-CAT-01", "UNKNOWN_TOOL")
	{r.control | some r in d.reasons} == {"AGT-REQ-01", "AGT-CAT-01"}
}

test_missing_configuration_fails_closed if {
	d := data.ai.tools.decision with input as fx.base_request with data.ai.tools.config as {}
	d.allow == false
	fx.denied_by(d, "AGT-POLICY", "POLICY_ERROR")
}

test_reasons_are_sorted_by_control_then_code if {
	d := fx.decide(fx.request({
		"agent": {"trust_level": "low"},
		"user": {"roles": []},
		"arguments": {"to": ["x@evil.example.net"]},
	}))
	[r.control | some r in d.reasons] == ["AGT-ARG-01", "AGT-ROLE-01", "AGT-TRUST-01"]
}
