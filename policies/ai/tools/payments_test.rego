package ai.tools.payments_test

import data.ai.tools.fixtures_test as fx

# EUR limits (config/payments): auto-approve up to 250, human approval up to 2000.

test_amount_at_auto_approve_limit_needs_no_approval if {
	d := fx.decide(fx.refund(250, "EUR"))
	fx.allowed(d)
	d.obligations == []
}

test_amount_just_over_auto_approve_limit_needs_human_approval if {
	d := fx.decide(fx.refund(250.01, "EUR"))
	fx.allowed(d)
	d.obligations == [{
		"type": "require_human_approval",
		"control": "AGT-ARG-02",
		"approver_roles": ["finance-approver"],
		"reason": "payment of 250.01 EUR exceeds the auto-approval limit of 250 EUR",
	}]
}

test_amount_at_hard_limit_needs_human_approval if {
	d := fx.decide(fx.refund(2000, "EUR"))
	fx.allowed(d)
	count(fx.obligations_of_type(d, "require_human_approval")) == 1
}

test_amount_just_over_hard_limit_is_denied if {
	d := fx.decide(fx.refund(2000.01, "EUR"))
	fx.denied_by(d, "AGT-ARG-02", "AMOUNT_OVER_LIMIT")
	fx.messages(d, "AGT-ARG-02") == "payment of 2000.01 EUR exceeds the hard limit of 2000 EUR"
}

test_limits_are_per_currency if {
	# GBP: auto-approve up to 200
	d := fx.decide(fx.refund(220, "GBP"))
	count(fx.obligations_of_type(d, "require_human_approval")) == 1
}

test_currency_code_is_case_insensitive if {
	fx.allowed(fx.decide(fx.refund(10, "eur")))
}

test_currency_without_limits_is_denied if {
	d := fx.decide(fx.refund(10, "JPY"))
	fx.denied_by(d, "AGT-ARG-02", "INVALID_AMOUNT")
	fx.messages(d, "AGT-ARG-02") == "no payment limits are configured for the requested currency (configured: EUR, GBP, USD)"
}

test_zero_amount_is_invalid if {
	fx.denied_by(fx.decide(fx.refund(0, "EUR")), "AGT-ARG-02", "INVALID_AMOUNT")
}

test_negative_amount_is_invalid if {
	fx.denied_by(fx.decide(fx.refund(-500, "EUR")), "AGT-ARG-02", "INVALID_AMOUNT")
}

test_amount_as_string_is_invalid if {
	fx.denied_by(fx.decide(fx.refund("100", "EUR")), "AGT-ARG-02", "INVALID_AMOUNT")
}
