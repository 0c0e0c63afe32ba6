# AGT-ARG-02 — payment amounts.
#
# Why: agents make mistakes and can be manipulated; money that leaves cannot be recalled. Small
# payments go through automatically, larger ones only with a human approval (the runtime must
# honour the require_human_approval obligation before executing), and anything above the hard
# limit is refused outright. Limits are per currency (config/payments); a currency without
# limits, or an amount that is not a positive number, is refused.
package ai.tools

import data.ai.lib

payment_tool if tool_entry.category == "payment"

payment_amount := arguments[cfg.payments.amount_argument]

payment_currency := upper(arguments[cfg.payments.currency_argument]) if {
	is_string(arguments[cfg.payments.currency_argument])
}

valid_payment_amount if {
	is_number(payment_amount)
	payment_amount > 0
}

payment_limits := cfg.payments.limits_by_currency[payment_currency]

violations contains {"control": "AGT-ARG-02", "code": "INVALID_AMOUNT", "message": message} if {
	payment_tool
	not valid_payment_amount
	message := sprintf("payment %s must be a positive number", [cfg.payments.amount_argument])
}

violations contains {"control": "AGT-ARG-02", "code": "INVALID_AMOUNT", "message": message} if {
	payment_tool
	valid_payment_amount
	not payment_limits
	message := sprintf("no payment limits are configured for %s (configured: %s)", [
		lib.named(
			echo_request_values("payments"), "currency",
			lib.string_or_null(arguments, cfg.payments.currency_argument),
			set(), "the requested currency",
		),
		lib.list_text(object.keys(cfg.payments.limits_by_currency)),
	])
}

violations contains {"control": "AGT-ARG-02", "code": "AMOUNT_OVER_LIMIT", "message": message} if {
	payment_tool
	valid_payment_amount
	payment_amount > payment_limits.hard_limit
	message := sprintf("payment of %v %s exceeds the hard limit of %v %s", [
		payment_amount, payment_currency, payment_limits.hard_limit, payment_currency,
	])
}

obligations_set contains obligation if {
	payment_tool
	valid_payment_amount
	payment_amount > payment_limits.auto_approve_limit
	payment_amount <= payment_limits.hard_limit
	obligation := {
		"type": "require_human_approval",
		"control": "AGT-ARG-02",
		"approver_roles": cfg.payments.approver_roles,
		"reason": sprintf("payment of %v %s exceeds the auto-approval limit of %v %s", [
			payment_amount, payment_currency, payment_limits.auto_approve_limit, payment_currency,
		]),
	}
}
