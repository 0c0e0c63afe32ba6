package ai.tools.pii_test

import data.ai.tools.fixtures_test as fx

mail_body(body) := fx.email({"to": ["a@example.com"], "subject": "Follow-up", "body": body})

redactions(d) := fx.obligations_of_type(d, "redact")

test_clean_arguments_need_no_redaction if {
	d := fx.decide(mail_body("Your refund was processed."))
	redactions(d) == []
}

test_email_address_in_free_text_must_be_redacted if {
	d := fx.decide(mail_body("As discussed, contact jane.doe@othercorp.com directly."))
	fx.allowed(d)
	redactions(d) == [{"type": "redact", "control": "AGT-PII-01", "paths": ["arguments.body"], "kinds": ["email_address"]}]
}

test_recipient_addresses_are_not_pii_findings if {
	d := fx.decide(fx.email({"to": ["a@example.com"], "cc": ["b@example.com"], "body": "hello"}))
	redactions(d) == []
}

test_luhn_valid_card_number_must_be_redacted if {
	d := fx.decide(mail_body("Card on file: 4111 1111 1111 1111, exp 12/28."))
	redactions(d)[0].kinds == ["payment_card"]
}

test_luhn_invalid_digit_run_is_not_a_card if {
	d := fx.decide(mail_body("Tracking number 4111 1111 1111 1112."))
	redactions(d) == []
}

test_us_ssn_must_be_redacted if {
	d := fx.decide(mail_body("SSN 078-05-1120 on the claim form."))
	redactions(d)[0].kinds == ["us_ssn"]
}

test_uk_nino_must_be_redacted if {
	d := fx.decide(mail_body("NI number AB 12 34 56 C."))
	redactions(d)[0].kinds == ["uk_nino"]
}

test_every_path_and_kind_is_listed_sorted if {
	d := fx.decide(fx.email({
		"to": ["a@example.com"],
		"subject": "Customer jane.doe@othercorp.com",
		"body": "Card 5555-5555-5555-4444 and SSN 078-05-1120",
	}))
	redactions(d) == [{
		"type": "redact",
		"control": "AGT-PII-01",
		"paths": ["arguments.body", "arguments.subject"],
		"kinds": ["email_address", "payment_card", "us_ssn"],
	}]
}

test_nested_arguments_are_scanned_with_their_paths if {
	d := fx.decide(fx.email({
		"to": ["a@example.com"],
		"body": "see attachments",
		"attachments": [{"name": "notes.txt", "text": "call jane.doe@othercorp.com"}],
		"headers": {"X-Customer": "078-05-1120"},
	}))
	redactions(d)[0].paths == ["arguments.attachments[0].text", "arguments.headers.X-Customer"]
}

test_pii_to_deny_listed_tool_is_denied if {
	d := fx.decide(fx.webhook({"customer_email": "jane.doe@othercorp.com", "status": "shipped"}))
	fx.denied_by(d, "AGT-PII-01", "PII_EGRESS")
	fx.messages(d, "AGT-PII-01") == "personal data (email_address) in arguments.payload.customer_email may not be sent to external tool post_webhook"
}

test_card_number_in_refund_memo_is_denied if {
	d := fx.decide(fx.call(
		"issue_refund", "payments",
		{"amount": 20, "currency": "EUR", "memo": "refund to card 4111111111111111"},
		{"agent": {"id": "finance-agent", "trust_level": "high"}, "user": {"roles": ["finance"]}},
	))
	fx.denied_by(d, "AGT-PII-01", "PII_EGRESS")
}

test_internal_tools_are_not_scanned if {
	d := fx.decide(fx.ticket({"title": "callback", "description": "customer jane.doe@othercorp.com, card 4111 1111 1111 1111"}))
	fx.allowed(d)
	d.obligations == []
}

test_tool_without_pii_handling_denies_pii if {
	d := data.ai.tools.decision with input as mail_body("mail jane.doe@othercorp.com") with data.ai.tools.config.catalog.tools.send_email.pii_handling as null
	fx.denied_by(d, "AGT-PII-01", "PII_EGRESS")
}

# --- any depth (issue 12: the detector used to stop at three levels) ---------------------------

# nested(n, leaf) is leaf under n levels of {"l": …}.
nested(n, leaf) := json.unmarshal(concat("", [
	concat("", [`{"l": ` | some _ in numbers.range(1, n)]),
	json.marshal(leaf),
	concat("", ["}" | some _ in numbers.range(1, n)]),
]))

# The card number and e-mail of examples/tool-call/pii-to-webhook.deny.json, under payload.l1.l2.l3.
test_pii_nested_under_l1_l2_l3_is_denied if {
	d := fx.decide(fx.webhook({"order": "ord-1", "l1": {"l2": {"l3": {
		"customer_email": "jane.doe@othercorp.com",
		"card": "4111 1111 1111 1111",
	}}}}))
	fx.denied_by(d, "AGT-PII-01", "PII_EGRESS")
	fx.messages(d, "AGT-PII-01") == "personal data (email_address, payment_card) in arguments.payload.l1.l2.l3.card, arguments.payload.l1.l2.l3.customer_email may not be sent to external tool post_webhook"
}

test_pii_at_depth_6_is_denied if {
	d := fx.decide(fx.webhook(nested(5, "card 4111 1111 1111 1111")))
	fx.denied_by(d, "AGT-PII-01", "PII_EGRESS")
	contains(fx.messages(d, "AGT-PII-01"), "in arguments.payload.l.l.l.l.l may not")
}

test_pii_at_depth_20_is_denied if {
	d := fx.decide(fx.webhook(nested(19, "mail jane.doe@othercorp.com")))
	fx.denied_by(d, "AGT-PII-01", "PII_EGRESS")
	contains(fx.messages(d, "AGT-PII-01"), concat("", ["arguments.payload", concat("", [".l" | some _ in numbers.range(1, 19)]), " may not"]))
}

test_pii_nested_in_arrays_is_found_with_its_path if {
	d := fx.decide(fx.webhook({"batches": [[{"rows": ["ok", "SSN 078-05-1120"]}]]}))
	fx.denied_by(d, "AGT-PII-01", "PII_EGRESS")
	contains(fx.messages(d, "AGT-PII-01"), "(us_ssn) in arguments.payload.batches[0][0].rows[1] may not")
}

test_deep_pii_to_a_redacting_tool_must_be_redacted_at_its_path if {
	d := fx.decide(fx.email({"to": ["a@example.com"], "body": "hi", "meta": nested(8, "4111111111111111")}))
	fx.allowed(d)
	redactions(d) == [{
		"type": "redact", "control": "AGT-PII-01",
		"paths": [concat("", ["arguments.meta", concat("", [".l" | some _ in numbers.range(1, 8)])])],
		"kinds": ["payment_card"],
	}]
}

test_exempt_arguments_are_exempt_at_any_depth_below_them if {
	d := fx.decide(fx.email({"to": ["a@example.com"], "body": "hi", "cc": ["b@example.com"]}))
	redactions(d) == []
}

test_clean_deep_arguments_need_nothing if {
	fx.allowed(fx.decide(fx.webhook(nested(30, "order shipped"))))
}

# --- the scan is bounded by size, not depth, and fails closed -----------------------------------

# post_webhook arguments: the url (1 string, 40 characters) plus the payload's strings.
small_limits := {"max_strings": 3, "max_characters": 100}

decide_with_limits(req, limits) := d if {
	d := data.ai.tools.decision with input as req with data.ai.tools.config.pii.scan_limits as limits
}

test_at_the_string_limit_the_call_is_scanned if {
	d := decide_with_limits(fx.webhook({"a": "x", "b": "y"}), small_limits)
	fx.allowed(d)
}

test_one_string_over_the_limit_is_denied_unscanned if {
	d := decide_with_limits(fx.webhook({"a": "x", "b": "y", "c": "z"}), small_limits)
	fx.denied_by(d, "AGT-PII-01", "PII_SCAN_LIMIT")
	fx.messages(d, "AGT-PII-01") == "arguments of external tool post_webhook hold 4 string values (43 characters), more than the personal-data scan covers (3 values, 100 characters); not sent unscanned"
}

test_at_the_character_limit_the_call_is_scanned if {
	# 40 (url) + 60 = 100 characters
	d := decide_with_limits(fx.webhook({"a": concat("", ["x" | some _ in numbers.range(1, 60)])}), small_limits)
	fx.allowed(d)
}

test_one_character_over_the_limit_is_denied_unscanned if {
	d := decide_with_limits(fx.webhook({"a": concat("", ["x" | some _ in numbers.range(1, 61)])}), small_limits)
	fx.denied_by(d, "AGT-PII-01", "PII_SCAN_LIMIT")
}

test_over_the_limit_pii_is_not_reported_as_scanned if {
	d := decide_with_limits(fx.webhook({"a": "x", "b": "y", "c": "jane.doe@othercorp.com"}), small_limits)
	fx.denied_by(d, "AGT-PII-01", "PII_SCAN_LIMIT")
	not ["AGT-PII-01", "PII_EGRESS"] in fx.findings(d)
}

test_a_redacting_tool_over_the_limit_is_denied_too if {
	d := decide_with_limits(mail_body("a long letter"), {"max_strings": 1, "max_characters": 1000})
	fx.denied_by(d, "AGT-PII-01", "PII_SCAN_LIMIT")
	redactions(d) == []
}

test_exempt_arguments_do_not_count_toward_the_limit if {
	d := decide_with_limits(fx.email({"to": ["a@example.com", "b@example.com", "c@example.com"], "body": "hi"}), {"max_strings": 1, "max_characters": 2})
	fx.allowed(d)
}

test_internal_tools_are_not_limited if {
	d := decide_with_limits(fx.ticket({"title": "t", "description": "d", "notes": ["a", "b", "c"]}), {"max_strings": 1, "max_characters": 1})
	fx.allowed(d)
}

test_missing_scan_limits_deny_external_tools if {
	d := decide_with_limits(fx.webhook({"order": "ord-1"}), null)
	fx.denied_by(d, "AGT-PII-01", "PII_SCAN_LIMIT")
	contains(fx.messages(d, "AGT-PII-01"), "scan covers ((none) values, (none) characters)")
}
