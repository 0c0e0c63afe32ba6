package ai.tools.flow_test

import data.ai.lib.patch_test.absent
import data.ai.tools.fixtures_test as fx

tainted := {"untrusted_content_seen": true, "sensitive_data_accessed": true}

test_untrusted_plus_sensitive_plus_external_send_is_denied if {
	d := fx.decide(fx.request({"session": tainted}))
	fx.denied_by(d, "AGT-FLOW-01", "EXFILTRATION_RISK")
	fx.messages(d, "AGT-FLOW-01") == "session has seen untrusted content and accessed sensitive data; external tool send_email is blocked"
}

test_untrusted_content_alone_is_allowed if {
	fx.allowed(fx.decide(fx.request({"session": {"untrusted_content_seen": true}})))
}

test_sensitive_data_alone_is_allowed if {
	fx.allowed(fx.decide(fx.request({"session": {"sensitive_data_accessed": true}})))
}

test_internal_tool_is_allowed_in_tainted_session if {
	req := fx.call("create_ticket", "helpdesk", {"title": "customer asked for a callback"}, {"session": tainted})
	fx.allowed(fx.decide(req))
}

test_unreported_session_flags_count_as_set if {
	d := fx.decide(fx.request({"session": absent}))
	fx.denied_by(d, "AGT-FLOW-01", "EXFILTRATION_RISK")
}
