# Reason messages and obligations never echo raw request values (issue 12, privacy by default):
# hostile requests carry a marker in every field a control reports on — tool, server, agent,
# environment, trust level, user id, recipients, currency, paths, SQL, URLs, payloads — and no
# reason message or obligation of the decision contains it, while the controls still deny. With
# a concern's echo_request_values set, its messages quote the value as given.
package ai.tools.messages_test

import data.ai.lib.patch_test.absent
import data.ai.tools.fixtures_test as fx

# leaks(d) holds when the marker shows in any reason message or obligation (case-insensitive:
# the SQL check lower-cases the statement).
leaks(d) if contains(lower(json.marshal([d.reasons, d.obligations])), "marker")

hostile_identity := {
	"agent": {"id": "MARKER-agent", "trust_level": "MARKER-trust", "environment": "MARKER-env"},
	"user": {"id": "MARKER.jane.doe@corp.example.com", "roles": ["marketing"]},
}

test_unknown_tool_from_unknown_everything_names_nothing if {
	d := fx.decide(fx.request(object.union(hostile_identity, {"tool": {"name": "MARKER-tool", "server": "MARKER-server"}})))
	fx.denied_by(d, "AGT-CAT-01", "UNKNOWN_TOOL")
	fx.messages(d, "AGT-CAT-01") == "the requested tool is not in the tool catalog"
	not leaks(d)
}

test_catalogued_tool_for_unlisted_agent_user_and_environment_names_nothing if {
	d := fx.decide(fx.request(hostile_identity))
	fx.denied_by(d, "AGT-CAT-01", "TOOL_NOT_ALLOWED")
	fx.denied_by(d, "AGT-ROLE-01", "ROLE_NOT_PERMITTED")
	fx.denied_by(d, "AGT-TRUST-01", "TRUST_TOO_LOW")
	fx.messages(d, "AGT-CAT-01") == "an unlisted agent may not use tool send_email | tool send_email is not enabled in an unlisted environment"
	fx.messages(d, "AGT-ROLE-01") == "the user holds none of the roles tool send_email requires (sales, support, support-lead)"
	fx.messages(d, "AGT-TRUST-01") == "an unknown agent trust level is below the medium level tool send_email requires"
	not leaks(d)
}

test_shadowing_server_is_not_named if {
	d := fx.decide(fx.request({"tool": {"server": "MARKER-server"}}))
	fx.denied_by(d, "AGT-CAT-01", "UNKNOWN_TOOL")
	not leaks(d)
}

test_recipients_are_named_by_domain_only if {
	d := fx.decide(fx.email({
		"to": ["a@example.com", "MARKER.jane@evil.example.net", "Display MARKER <x@example.com>", 42],
		"bcc": "MARKER.archive@evil.example.net",
		"body": "hi",
	}))
	fx.denied_by(d, "AGT-ARG-01", "RECIPIENT_DOMAIN_NOT_ALLOWED")
	fx.denied_by(d, "AGT-ARG-01", "INVALID_RECIPIENT")
	fx.messages(d, "AGT-ARG-01") == "recipients are not plain e-mail addresses (2 values) | recipients outside the allowed domains (example.com, partner.example.org): recipient at domain evil.example.net"
	not leaks(d)
}

test_personal_data_is_named_by_path_and_kind_only if {
	d := fx.decide(fx.email({"to": ["a@example.com"], "body": "MARKER: call jane.doe@othercorp.com, card 4111 1111 1111 1111"}))
	fx.allowed(d)
	count(d.obligations) == 1
	not leaks(d)
	not contains(json.marshal(d.obligations), "4111")
	not contains(json.marshal(d.obligations), "othercorp")
}

test_currency_without_limits_is_not_named if {
	d := fx.decide(fx.refund(10, "MARKER"))
	fx.denied_by(d, "AGT-ARG-02", "INVALID_AMOUNT")
	not leaks(d)
}

test_refund_memo_with_a_card_is_denied_without_the_card if {
	d := fx.decide(fx.call(
		"issue_refund", "payments",
		{"amount": 20, "currency": "EUR", "memo": "MARKER card 4111111111111111"},
		{"agent": {"id": "finance-agent", "trust_level": "high"}, "user": {"id": "MARKER-u", "roles": ["finance"]}},
	))
	fx.denied_by(d, "AGT-PII-01", "PII_EGRESS")
	not leaks(d)
	not contains(json.marshal(d.reasons), "4111")
}

test_paths_are_named_by_allowed_root_only if {
	every path in [
		"/etc/MARKER/shadow",
		"/workspace/../MARKER/id_rsa",
		"MARKER/notes.md",
		"/workspace/%2e%2e/MARKER",
		`/workspace\..\MARKER`,
		"/workspace-MARKER/x",
	] {
		d := fx.decide(fx.read_file(path))
		fx.denied_by(d, "AGT-ARG-03", "PATH_NOT_ALLOWED")
		not leaks(d)
	}
}

test_a_path_outside_every_root_is_just_a_path if {
	fx.messages(fx.decide(fx.read_file("/etc/MARKER")), "AGT-ARG-03") == "argument path: a path is outside the allowed roots (/srv/shared/reports, /workspace)"
}

test_a_non_string_path_is_not_rendered if {
	d := fx.decide(fx.call("read_file", "files", {"path": {"MARKER": 1}}, {
		"agent": {"id": "ops-agent", "trust_level": "low"},
		"user": {"roles": ["engineer"]},
	}))
	fx.messages(d, "AGT-ARG-03") == "argument path: a path must be a non-empty string"
	not leaks(d)
}

test_sql_text_is_not_echoed if {
	d := fx.decide(fx.sql("DELETE FROM marker_customers WHERE email = 'MARKER@example.com'", ["analyst"]))
	fx.denied_by(d, "AGT-ARG-04", "WRITE_NOT_PERMITTED")
	not leaks(d)
}

test_webhook_url_and_payload_are_not_echoed if {
	req := fx.request({
		"agent": {"id": "ops-agent", "trust_level": "high", "environment": "staging"},
		"user": {"roles": ["engineer"]},
		"tool": {"name": "post_webhook", "server": "web"},
		"arguments": {"to": absent, "subject": absent, "body": absent, "url": "https://hooks.example.org/in?token=MARKER", "payload": {"note": "MARKER jane.doe@othercorp.com"}},
		"session": {"untrusted_content_seen": true, "sensitive_data_accessed": true},
		"signals": {"prompt_injection_score": 0.99},
	})
	d := fx.decide(req)
	fx.denied_by(d, "AGT-PII-01", "PII_EGRESS")
	fx.denied_by(d, "AGT-FLOW-01", "EXFILTRATION_RISK")
	fx.denied_by(d, "AGT-INJ-01", "PROMPT_INJECTION_RISK")
	not leaks(d)
}

# --- echo_request_values: off by default, per concern ------------------------------------------

test_shipped_configuration_echoes_no_request_values if {
	every _, settings in data.ai.tools.config {
		not settings.echo_request_values == true
	}
	every _, settings in data.ai.deployment.config {
		not settings.echo_request_values == true
	}
}

test_catalog_echo_quotes_tool_agent_environment_and_user if {
	d := fx.decide(fx.request(hostile_identity)) with data.ai.tools.config.catalog.echo_request_values as true
	fx.messages(d, "AGT-CAT-01") == "agent MARKER-agent may not use tool send_email | tool send_email is not enabled in environment MARKER-env"
	fx.messages(d, "AGT-ROLE-01") == "user MARKER.jane.doe@corp.example.com holds none of the roles tool send_email requires (sales, support, support-lead)"
	unknown := fx.decide(fx.request({"tool": {"name": "MARKER-tool"}})) with data.ai.tools.config.catalog.echo_request_values as true
	fx.messages(unknown, "AGT-CAT-01") == "tool MARKER-tool is not in the tool catalog"
}

test_trust_echo_quotes_the_level if {
	d := fx.decide(fx.request(hostile_identity)) with data.ai.tools.config.trust.echo_request_values as true
	fx.messages(d, "AGT-TRUST-01") == "agent trust level MARKER-trust is below the medium level tool send_email requires"
}

test_email_echo_quotes_addresses if {
	d := fx.decide(fx.email({"to": ["MARKER@evil.example.net", "bad"], "body": "hi"})) with data.ai.tools.config.email.echo_request_values as true
	fx.messages(d, "AGT-ARG-01") == "recipients are not plain e-mail addresses: bad | recipients outside the allowed domains (example.com, partner.example.org): MARKER@evil.example.net"
}

test_payments_echo_quotes_the_currency if {
	d := fx.decide(fx.refund(10, "MARKER")) with data.ai.tools.config.payments.echo_request_values as true
	fx.messages(d, "AGT-ARG-02") == "no payment limits are configured for currency MARKER (configured: EUR, GBP, USD)"
}

test_files_echo_quotes_the_path if {
	d := fx.decide(fx.read_file("/etc/MARKER")) with data.ai.tools.config.files.echo_request_values as true
	fx.messages(d, "AGT-ARG-03") == "argument path: path /etc/MARKER is outside the allowed roots (/srv/shared/reports, /workspace)"
}

test_a_non_boolean_flag_does_not_echo if {
	d := fx.decide(fx.read_file("/etc/MARKER")) with data.ai.tools.config.files.echo_request_values as "yes"
	not leaks(d)
}
