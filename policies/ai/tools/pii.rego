# AGT-PII-01 — personal data leaving through external tools.
#
# Why: agents paste whatever is in context into tool arguments. For tools that send data outside
# the organisation, string arguments are scanned for personal data — e-mail addresses in free
# text, payment card numbers (Luhn-checked), national identifiers (config/pii patterns). Found
# data either must be redacted by the runtime before the call (obligation "redact" naming the
# argument paths) or blocks the call (PII_EGRESS), as the tool's catalog entry says. Arguments
# that are addresses by design (e-mail recipients) are exempt per tool.
#
# Scan depth: any. Every string value under the arguments is scanned, however deeply it is nested
# (arguments.a, arguments.a.b[0].c, …) — nesting is free for the caller, so a depth limit would be
# a bypass. What is bounded is the size scanned (config/pii scan_limits: the number of string
# values and their total length): a call whose arguments hold more is denied unscanned
# (PII_SCAN_LIMIT) rather than let through unscanned. Object keys are not scanned (they name
# the paths in the obligation and the message).
package ai.tools

import data.ai.lib

pii_handling := tool_entry.pii_handling if {
	is_string(tool_entry.pii_handling)
} else := "deny"

pii_exempt_arguments := tool_entry.pii_exempt_arguments if {
	is_array(tool_entry.pii_exempt_arguments)
} else := []

# [key path, text] for every string value under the arguments, at any depth, except under the
# tool's exempt arguments.
string_arguments := [[path, value] |
	walk(arguments, [path, value])
	is_string(value)
	count(path) > 0
	not path[0] in pii_exempt_arguments
]

pii_scanned_characters := sum([count(item[1]) | some item in string_arguments])

# Missing or malformed limits scan nothing: every call to an external tool is then denied.
pii_scan_within_limits if {
	count(string_arguments) <= cfg.pii.scan_limits.max_strings
	pii_scanned_characters <= cfg.pii.scan_limits.max_characters
}

# [path, text] for every string argument value scanned.
scanned_strings contains [argument_path(item[0]), item[1]] if {
	pii_scan_within_limits
	some item in string_arguments
}

# argument_path(["items", 0, "note"]) = "arguments.items[0].note"
argument_path(keys) := concat("", ["arguments", concat("", [path_segment(key) | some key in keys])])

path_segment(key) := sprintf("[%v]", [key]) if is_number(key)

path_segment(key) := concat("", [".", key]) if is_string(key)

# [path, kind] for every detected kind of personal data.
pii_findings contains [path, "email_address"] if {
	some item in scanned_strings
	path := item[0]
	regex.match(cfg.pii.email_pattern, item[1])
}

pii_findings contains [path, "payment_card"] if {
	some item in scanned_strings
	path := item[0]
	lib.contains_payment_card(item[1])
}

pii_findings contains [path, detector.kind] if {
	some item in scanned_strings
	path := item[0]
	some detector in cfg.pii.national_id_patterns
	regex.match(detector.pattern, item[1])
}

pii_paths := {finding[0] | some finding in pii_findings}

pii_kinds := {finding[1] | some finding in pii_findings}

pii_bound_for_egress if {
	external_tool
	count(pii_findings) > 0
}

obligations_set contains obligation if {
	pii_bound_for_egress
	pii_handling == "redact"
	obligation := {
		"type": "redact",
		"control": "AGT-PII-01",
		"paths": sort(pii_paths),
		"kinds": sort(pii_kinds),
	}
}

# Too much to scan is not "nothing found": the call is denied, for redacting tools too (the
# runtime could not be told what to redact).
violations contains {"control": "AGT-PII-01", "code": "PII_SCAN_LIMIT", "message": message} if {
	external_tool
	not pii_scan_within_limits
	message := sprintf("arguments of external tool %s hold %v string values (%v characters), more than the personal-data scan covers (%v values, %v characters); not sent unscanned", [
		tool_name,
		count(string_arguments),
		pii_scanned_characters,
		lib.display(object.get(cfg.pii, ["scan_limits", "max_strings"], null)),
		lib.display(object.get(cfg.pii, ["scan_limits", "max_characters"], null)),
	])
}

violations contains {"control": "AGT-PII-01", "code": "PII_EGRESS", "message": message} if {
	pii_bound_for_egress
	pii_handling != "redact"
	message := sprintf("personal data (%s) in %s may not be sent to external tool %s", [
		lib.list_text(pii_kinds),
		lib.list_text(pii_paths),
		tool_name,
	])
}
