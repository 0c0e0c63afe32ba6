package ai.lib.lib_test

import data.ai.lib

# --- time ------------------------------------------------------------------------------------

test_now_ns_reads_the_mockable_clock if {
	lib.now_ns == 42 with time.now_ns as 42
}

test_rfc3339_round_trips_a_plain_instant if {
	lib.rfc3339(time.parse_rfc3339_ns("2026-11-26T12:00:00Z")) == "2026-11-26T12:00:00Z"
}

test_rfc3339_epoch if {
	lib.rfc3339(0) == "1970-01-01T00:00:00Z"
}

test_rfc3339_leap_day_and_end_of_day if {
	lib.rfc3339(time.parse_rfc3339_ns("2028-02-29T23:59:59Z")) == "2028-02-29T23:59:59Z"
}

test_rfc3339_turn_of_year if {
	lib.rfc3339(time.parse_rfc3339_ns("2030-12-31T23:59:59Z") + 1000000000) == "2031-01-01T00:00:00Z"
}

test_rfc3339_normalizes_offsets_to_utc if {
	lib.rfc3339(time.parse_rfc3339_ns("2027-03-01T01:30:00+02:00")) == "2027-02-28T23:30:00Z"
}

test_rfc3339_truncates_sub_seconds if {
	lib.rfc3339(time.parse_rfc3339_ns("2027-01-15T08:09:10Z") + 999999999) == "2027-01-15T08:09:10Z"
}

test_parse_instant_undefined_for_garbage if {
	not lib.parse_instant("next tuesday")
	not lib.parse_instant(17)
}

# --- decision helpers --------------------------------------------------------------------------

test_sorted_reasons_orders_by_control_code_message if {
	lib.sorted_reasons({
		{"control": "B-1", "code": "X", "message": "m"},
		{"control": "A-2", "code": "Z", "message": "b"},
		{"control": "A-2", "code": "Z", "message": "a"},
		{"control": "A-2", "code": "Y", "message": "z"},
	}) == [
		{"code": "Y", "control": "A-2", "message": "z"},
		{"code": "Z", "control": "A-2", "message": "a"},
		{"code": "Z", "control": "A-2", "message": "b"},
		{"code": "X", "control": "B-1", "message": "m"},
	]
}

test_display_renders_missing_values if {
	lib.display(null) == "(none)"
	lib.display("eu-west-1") == "eu-west-1"
	lib.display(3) == "3"
}

# --- PII detectors -----------------------------------------------------------------------------

test_luhn_accepts_valid_card_numbers if {
	lib.luhn_valid("4111111111111111") # Visa test number
	lib.luhn_valid("5555555555554444") # Mastercard test number
	lib.luhn_valid("378282246310005") # Amex test number (15 digits)
}

test_luhn_rejects_a_single_digit_change if {
	not lib.luhn_valid("4111111111111112")
}

test_card_found_with_spaces_and_dashes if {
	lib.contains_payment_card("card 4111 1111 1111 1111 exp 12/28")
	lib.contains_payment_card("card 5555-5555-5555-4444.")
}

test_card_not_found_for_luhn_failing_order_number if {
	not lib.contains_payment_card("order 4111111111111112 shipped")
}

test_card_not_found_for_short_numbers if {
	not lib.contains_payment_card("ticket 4521, call +1 415-555-0132")
}

test_digit_runs_split_on_text if {
	lib.digit_runs("a 12-34 b 56") == {"1234", "56"}
}
