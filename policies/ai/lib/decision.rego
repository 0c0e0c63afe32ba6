# Helpers shared by the decision documents of every domain (see DESIGN.md §3).
#
# Every control in this bundle reports a violation as {"control", "code", "message"}. The domain
# packages collect violations, drop the ones an exception waives, and publish
#   {"allow", "reasons", "obligations", "exceptions_applied"[, "valid_until"]}
# with deterministic ordering so that identical requests yield byte-identical decisions (the
# service caches and audits them).
package ai.lib

# sorted_reasons(violations) orders a set of {"control", "code", "message"} objects by control,
# then code, then message.
sorted_reasons(violations) := [reason |
	some row in sort([[v.control, v.code, v.message] | some v in violations])
	reason := {"code": row[1], "control": row[0], "message": row[2]}
]

# sorted_by_key(items, key) orders a set of objects by the value at `key`, then by the whole object
# (the tie-breaker keeps the order total when two items share a key).
sorted_by_key(items, key) := [row[1] | some row in sort([[item[key], item] | some item in items])]

# object_or_empty(doc, key) is doc[key] when that is an object, else {}. Controls read request
# fields through it so that a missing or mistyped section makes checks fail (deny), never vanish.
object_or_empty(doc, key) := doc[key] if {
	is_object(doc)
	is_object(doc[key])
} else := {}

# array_or_empty(doc, key) is doc[key] when that is an array, else [].
array_or_empty(doc, key) := doc[key] if {
	is_object(doc)
	is_array(doc[key])
} else := []

# string_or_null(doc, key) is doc[key] when that is a string, else null (for messages and
# comparisons that must stay defined when a field is missing).
string_or_null(doc, key) := doc[key] if {
	is_object(doc)
	is_string(doc[key])
} else := null

# non_empty_string(x) holds for strings with at least one non-blank character.
non_empty_string(x) if {
	is_string(x)
	trim_space(x) != ""
}

# display(x) renders a request value for a reason message; missing values read "(none)".
display(x) := x if {
	is_string(x)
} else := "(none)" if {
	x == null
} else := sprintf("%v", [x])

# named(echo, noun, value, known, other) names a request value in a reason message without
# echoing it: "<noun> <value>" when `echo` is true (the concern is configured to echo request
# values) or when the configuration lists the value (a catalogued server, a configured trust
# level — quoting it says nothing the bundle does not); "<noun> (none)" when it is missing;
# `other` otherwise (e.g. "an unlisted agent"). Reason messages are logged and returned to
# callers: raw request values (addresses, paths, identifiers, tokens) stay in the request.
named(echo, noun, value, known, other) := sprintf("%s %s", [noun, display(value)]) if {
	echo == true
} else := sprintf("%s %s", [noun, value]) if {
	is_string(value)
	value in known
} else := sprintf("%s (none)", [noun]) if {
	value == null
} else := other

# list_text(xs) renders a collection as a sorted, comma-separated list for messages.
list_text(xs) := concat(", ", sort([sprintf("%v", [x]) | some x in xs]))
