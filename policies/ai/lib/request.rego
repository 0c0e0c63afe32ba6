# The request document and its shape, for the request-shape control of every domain
# (AGT-REQ-01, AIGOV-REQ-01).
#
# Why: every control reads request fields; with no input at all (an OPA Data API call without a
# body, a GET, a misspelled "Input" key) or an input that is not an object, no control would
# find anything to object to and `allow := count(reasons) == 0` would allow. So:
#   * `request` is the input when it is an object and {} otherwise — the controls run (and fire)
#     on it rather than going undefined, and
#   * `input_problem` / `missing_request_fields` say why the request is not one, for the domain's
#     request-shape control to deny with INVALID_REQUEST.
# Messages name the input's JSON type and field paths, never a value.
package ai.lib

# input_type is the JSON type of the input ("object", "string", ...), "undefined" without one.
input_type := type if {
	type := type_name(input)
} else := "undefined"

request := input if {
	is_object(input)
} else := {}

# input_problem is defined when the input is missing or not an object.
input_problem := "there is no request: the input document is missing" if {
	input_type == "undefined"
} else := sprintf("the request must be a JSON object, not %s", [input_type]) if {
	input_type != "object"
}

# is_false(obj, key): obj[key] is exactly false. `not lib.is_false(o, "k")` reads "k is missing
# or not false": OPA evaluates a negated call's reference arguments before the negation (a
# missing one makes the whole expression undefined), so the lookup sits inside this function.
is_false(obj, key) if obj[key] == false

# missing_request_fields(required) names, as "a.b", every required field (a list of key paths)
# that is missing or not a non-empty string in an object input.
missing_request_fields(required) := {concat(".", path) |
	input_type == "object"
	some path in required
	not non_empty_string(object.get(input, path, null))
}
