package ai.tools.catalog_test

import data.ai.lib.patch_test.absent
import data.ai.lib.patch_test.patched
import data.ai.tools.fixtures_test as fx

# --- AGT-CAT-01 --------------------------------------------------------------------------------

test_tool_not_in_catalog_is_unknown if {
	d := fx.decide(fx.request({"tool": {"name": "delete_all_customers"}}))
	fx.denied_by(d, "AGT-CAT-01", "UNKNOWN_TOOL")
	fx.messages(d, "AGT-CAT-01") == "the requested tool is not in the tool catalog"
}

test_missing_tool_name_is_unknown if {
	d := fx.decide(fx.request({"tool": {"name": absent}}))
	fx.denied_by(d, "AGT-CAT-01", "UNKNOWN_TOOL")
}

test_unknown_tool_reports_nothing_else if {
	d := fx.decide(fx.request({"tool": {"name": "delete_all_customers"}, "signals": {"prompt_injection_score": 0.99}}))
	count(d.reasons) == 1
}

test_catalogued_tool_from_another_server_is_unknown if {
	d := fx.decide(fx.request({"tool": {"server": "totally-legit-mail"}}))
	fx.denied_by(d, "AGT-CAT-01", "UNKNOWN_TOOL")
	fx.messages(d, "AGT-CAT-01") == "tool send_email is catalogued for server mail, not an uncatalogued server"
}

test_agent_not_listed_for_tool_is_not_allowed if {
	d := fx.decide(fx.request({"agent": {"id": "research-agent"}}))
	fx.denied_by(d, "AGT-CAT-01", "TOOL_NOT_ALLOWED")
	fx.messages(d, "AGT-CAT-01") == "agent research-agent may not use tool send_email"
}

test_webhook_is_not_enabled_in_prod if {
	req := fx.call("post_webhook", "web", {"url": "https://hooks.partner.example.org/x", "payload": {}}, {
		"agent": {"id": "ops-agent", "trust_level": "high", "environment": "prod"},
		"user": {"roles": ["engineer"]},
	})
	d := fx.decide(req)
	fx.denied_by(d, "AGT-CAT-01", "TOOL_NOT_ALLOWED")
	fx.messages(d, "AGT-CAT-01") == "tool post_webhook is not enabled in environment prod"
}

test_catalogued_but_disabled_tool_is_never_allowed if {
	req := fx.call("shell_exec", "sandbox", {"command": "id"}, {
		"agent": {"id": "ops-agent", "trust_level": "high"},
		"user": {"roles": ["platform-admin"]},
	})
	d := fx.decide(req)
	fx.denied_by(d, "AGT-CAT-01", "TOOL_NOT_ALLOWED")
}

# --- AGT-ROLE-01 -------------------------------------------------------------------------------

test_user_without_required_role_is_denied if {
	d := fx.decide(fx.request({"user": {"roles": ["marketing"]}}))
	fx.denied_by(d, "AGT-ROLE-01", "ROLE_NOT_PERMITTED")
	fx.messages(d, "AGT-ROLE-01") == "the user holds none of the roles tool send_email requires (sales, support, support-lead)"
}

test_user_without_roles_is_denied if {
	d := fx.decide(fx.request({"user": {"roles": absent}}))
	fx.denied_by(d, "AGT-ROLE-01", "ROLE_NOT_PERMITTED")
}

test_missing_user_is_denied if {
	d := fx.decide(fx.request({"user": absent}))
	fx.denied_by(d, "AGT-ROLE-01", "ROLE_NOT_PERMITTED")
}

test_any_one_required_role_is_enough if {
	fx.allowed(fx.decide(fx.request({"user": {"roles": ["intern", "sales"]}})))
}

test_tool_with_empty_role_list_needs_no_role if {
	req := fx.call("search_kb", "kb", {"query": "refund policy"}, {"user": {"roles": []}})
	fx.allowed(fx.decide(req))
}

test_catalog_entry_without_role_list_fails_closed if {
	d := data.ai.tools.decision with input as fx.base_request with data.ai.tools.config.catalog.tools.send_email.required_roles as null
	fx.denied_by(d, "AGT-ROLE-01", "ROLE_NOT_PERMITTED")
}

# --- AGT-TRUST-01 ------------------------------------------------------------------------------

test_trust_below_minimum_is_denied if {
	d := fx.decide(fx.request({"agent": {"trust_level": "low"}}))
	fx.denied_by(d, "AGT-TRUST-01", "TRUST_TOO_LOW")
	fx.messages(d, "AGT-TRUST-01") == "agent trust level low is below the medium level tool send_email requires"
}

test_trust_equal_to_minimum_is_allowed if {
	fx.allowed(fx.decide(fx.request({"agent": {"trust_level": "medium"}})))
}

test_trust_above_minimum_is_allowed if {
	fx.allowed(fx.decide(fx.request({"agent": {"trust_level": "high"}})))
}

test_unknown_trust_level_is_denied if {
	d := fx.decide(fx.request({"agent": {"trust_level": "root"}}))
	fx.denied_by(d, "AGT-TRUST-01", "TRUST_TOO_LOW")
}

test_medium_trust_agent_cannot_issue_refunds if {
	d := fx.decide(patched(fx.refund(50, "EUR"), {"agent": {"trust_level": "medium"}}))
	fx.denied_by(d, "AGT-TRUST-01", "TRUST_TOO_LOW")
}
