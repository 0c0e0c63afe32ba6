package ai.tools.email_test

import data.ai.tools.fixtures_test as fx

mail_to(to) := fx.email({"to": to, "subject": "Status", "body": "Your order has shipped."})

test_recipient_in_allowed_domain_is_allowed if {
	fx.allowed(fx.decide(mail_to(["a@example.com", "b@partner.example.org"])))
}

test_recipient_in_subdomain_is_allowed if {
	fx.allowed(fx.decide(mail_to(["ops@eu.example.com"])))
}

test_domain_match_ignores_case if {
	fx.allowed(fx.decide(mail_to(["Alice@Example.COM"])))
}

test_recipient_outside_allowed_domains_is_denied if {
	d := fx.decide(mail_to(["a@example.com", "drop@evil.example.net"]))
	fx.denied_by(d, "AGT-ARG-01", "RECIPIENT_DOMAIN_NOT_ALLOWED")
	fx.messages(d, "AGT-ARG-01") == "recipients outside the allowed domains (example.com, partner.example.org): recipient at domain evil.example.net"
}

test_lookalike_suffix_domain_is_denied if {
	d := fx.decide(mail_to(["a@example.com.evil.io"]))
	fx.denied_by(d, "AGT-ARG-01", "RECIPIENT_DOMAIN_NOT_ALLOWED")
}

test_domain_that_merely_ends_with_allowed_name_is_denied if {
	d := fx.decide(mail_to(["a@notexample.com"]))
	fx.denied_by(d, "AGT-ARG-01", "RECIPIENT_DOMAIN_NOT_ALLOWED")
}

test_cc_and_bcc_are_checked_too if {
	d := fx.decide(fx.email({"to": ["a@example.com"], "bcc": "archive@evil.example.net", "body": "hi"}))
	fx.denied_by(d, "AGT-ARG-01", "RECIPIENT_DOMAIN_NOT_ALLOWED")
}

test_single_recipient_string_is_accepted if {
	fx.allowed(fx.decide(mail_to("a@example.com")))
}

test_display_name_address_is_invalid if {
	d := fx.decide(mail_to(["Alice <a@example.com>"]))
	fx.denied_by(d, "AGT-ARG-01", "INVALID_RECIPIENT")
}

test_address_with_two_at_signs_is_invalid if {
	d := fx.decide(mail_to(["a@evil.example.net@example.com"]))
	fx.denied_by(d, "AGT-ARG-01", "INVALID_RECIPIENT")
}

test_non_string_recipient_is_invalid if {
	d := fx.decide(mail_to([42]))
	fx.denied_by(d, "AGT-ARG-01", "INVALID_RECIPIENT")
}

test_email_without_recipients_is_invalid if {
	d := fx.decide(fx.email({"subject": "hi", "body": "hi"}))
	fx.denied_by(d, "AGT-ARG-01", "INVALID_RECIPIENT")
}
