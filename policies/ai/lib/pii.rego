# Detectors for personal data in free text, used by AGT-PII-01.
#
# Pattern-based detectors (e-mail addresses, national identifiers) take their regular expressions
# from data so the privacy team can add patterns without touching Rego. Payment cards need a
# checksum, not just a pattern: a 16-digit order number is not a card, so a candidate digit run
# must also pass the Luhn check.
package ai.lib

# Cheap pre-filter: somewhere in the text there are 13–19 digits, each optionally preceded by a
# single space or dash ("4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111").
card_candidate_pattern := `[0-9](?:[ -]?[0-9]){12,18}`

# A maximal run of digits, single spaces or dashes allowed between digits.
digit_run_pattern := `[0-9](?:[ -]?[0-9])*`

# contains_payment_card(text) holds when some digit run has 13–19 digits and passes the Luhn
# checksum. Linear in the length of the text (RE2 matching, no per-character Rego loop), so long
# arguments cannot blow the evaluation budget.
contains_payment_card(text) if {
	is_string(text)
	regex.match(card_candidate_pattern, text)
	some digits in digit_runs(text)
	count(digits) >= 13
	count(digits) <= 19
	luhn_valid(digits)
}

# digit_runs(text) is the set of digit strings found in maximal runs of digits separated by at
# most one space or dash, with the separators removed ("card 4111 1111 1111 1111 exp" →
# {"4111111111111111"}).
digit_runs(text) := {digits |
	some run in regex.find_n(digit_run_pattern, text, -1)
	digits := replace(replace(run, " ", ""), "-", "")
}

# luhn_valid(digits) holds when the digit string passes the Luhn (mod 10) checksum: from the
# right, every second digit is doubled (minus 9 when the result exceeds 9) and the sum of all
# terms is a multiple of 10.
luhn_valid(digits) if {
	n := count(digits)
	n > 1
	total := sum([term | some i in numbers.range(0, n - 1); term := luhn_term(digits, n, i)])
	total % 10 == 0
}

luhn_term(digits, n, i) := to_number(substring(digits, i, 1)) if {
	((n - 1) - i) % 2 == 0
}

luhn_term(digits, n, i) := doubled if {
	((n - 1) - i) % 2 == 1
	doubled := 2 * to_number(substring(digits, i, 1))
	doubled <= 9
}

luhn_term(digits, n, i) := doubled - 9 if {
	((n - 1) - i) % 2 == 1
	doubled := 2 * to_number(substring(digits, i, 1))
	doubled > 9
}
