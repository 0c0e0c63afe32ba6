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
