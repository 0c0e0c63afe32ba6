# AGT-PII-01 — personal data leaving through external tools.
#
# Why: agents paste whatever is in context into tool arguments. For tools that send data outside
# the organisation, string arguments are scanned for personal data — e-mail addresses in free
# text, payment card numbers (Luhn-checked), national identifiers (config/pii patterns). Found
# data either must be redacted by the runtime before the call (obligation "redact" naming the
# argument paths) or blocks the call (PII_EGRESS), as the tool's catalog entry says. Arguments
# that are addresses by design (e-mail recipients) are exempt per tool.
#
# Scan depth: arguments.a, arguments.a.b / arguments.a[0], arguments.a.b.c / arguments.a[0].c.
package ai.tools

import data.ai.lib

pii_handling := tool_entry.pii_handling if {
	is_string(tool_entry.pii_handling)
} else := "deny"

pii_exempt_arguments := tool_entry.pii_exempt_arguments if {
	is_array(tool_entry.pii_exempt_arguments)
} else := []

# [path, text] for every string argument value within the scan depth.
scanned_strings contains [path, value] if {
	some name, value in arguments
	not name in pii_exempt_arguments
	is_string(value)
	path := argument_path([name])
}

scanned_strings contains [path, value] if {
	some name, level1 in arguments
	not name in pii_exempt_arguments
	some key1, value in container(level1)
	is_string(value)
	path := argument_path([name, key1])
}

scanned_strings contains [path, value] if {
	some name, level1 in arguments
	not name in pii_exempt_arguments
	some key1, level2 in container(level1)
	some key2, value in container(level2)
	is_string(value)
	path := argument_path([name, key1, key2])
}

# Objects and arrays are iterated; anything else yields nothing.
container(x) := x if is_object(x)

container(x) := x if is_array(x)

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

violations contains {"control": "AGT-PII-01", "code": "PII_EGRESS", "message": message} if {
	pii_bound_for_egress
	pii_handling != "redact"
	message := sprintf("personal data (%s) in %s may not be sent to external tool %s", [
		lib.list_text(pii_kinds),
		lib.list_text(pii_paths),
		tool_name,
	])
}
