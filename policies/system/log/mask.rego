# Decision-log masking: what of a decision record may be written to the audit log as it is.
#
# OPA's convention (and this service's): before a record reaches any sink, data.system.log.mask
# is evaluated with the unmasked record as input — input.input is the request, input.result the
# policy document, input.path the decision path (e.g. "ai/tools/decision") — and each element of
# the set is applied: a JSON pointer string erases, {"op": "upsert", "path", "value"} replaces.
# Only /input and /result pointers are produced, the two OPA accepts.
#
# Privacy by default: every request value, at any depth, is replaced by a summary of its type
# (and, for a string, its length) — except the fields listed below, which identify what was
# asked (agent, tool, model, target) or are the flags, scores and roles the controls decide on.
# The record is traversed with walk(), every scalar on its own: there is no depth limit (the
# service bounds a request body's nesting with server.max_json_depth), and an empty object or
# array, which holds no value, is left as it is.
# Object keys are kept, so an audit sees which arguments were passed, not their values. A kept
# field is kept only with the type the request schema gives it (a Data API input is not checked
# against the schema). No digest is logged: a hash of a low-entropy value (a card number, a
# password, an e-mail address) is reversed by hashing every candidate.
#
# Results: the decision documents (ai.*.decision and ai.*.allow) are policy output and are kept.
# A Data API query of any other document may echo its input (data.ai.tools.arguments is the
# request's arguments), so such results are summarized the same way.
package system.log

# Request fields logged as they are: shape → type, where the shape is the field's JSON pointer
# with every array index written "~" (a bare "~" never occurs in an escaped key, so no key can
# pass for an index). A field is kept only with the type the request schema gives it, and
# timestamps and digests only in that form (any string can be sent in them). Identifiers are
# logged as sent: they name agents, tools, models and targets, not people.
tool_call_fields := {
	"/agent/id": "string",
	"/agent/trust_level": "string",
	"/agent/environment": "string",
	"/user/roles/~": "string",
	"/session/untrusted_content_seen": "boolean",
	"/session/sensitive_data_accessed": "boolean",
	"/tool/name": "string",
	"/tool/server": "string",
	"/signals/prompt_injection_score": "number",
}

# Not kept: model.owner (often a person), model.intended_use (free text), model.artifact.uri and
# model.evaluation.evidence_url (URLs can carry credentials), requester.id and
# approvals[].approver_id (people).
deployment_fields := {
	"/model/name": "string",
	"/model/version": "string",
	"/model/registry": "string",
	"/model/artifact/digest": "digest",
	"/model/artifact/signed": "boolean",
	"/model/license": "string",
	"/model/risk_tier": "number",
	"/model/data_classification": "string",
	"/model/retention_days": "number",
	"/model/evaluation/model_version": "string",
	"/model/evaluation/completed_at": "timestamp",
	"/deployment/environment": "string",
	"/deployment/exposure": "string",
	"/deployment/region": "string",
	"/deployment/cluster": "string",
	"/deployment/namespace": "string",
	"/requester/roles/~": "string",
	"/approvals/~/role": "string",
	"/approvals/~/approved_at": "timestamp",
}

# The decision documents: kept whole.
kept_results := {"ai/tools/decision", "ai/tools/allow", "ai/deployment/decision", "ai/deployment/allow"}

kept_fields := tool_call_fields if {
	under(input.path, "ai/tools")
} else := deployment_fields if {
	under(input.path, "ai/deployment")
} else := {}

mask contains {"op": "upsert", "path": pointer("/input", path), "value": summary(value)} if {
	walk(input.input, [path, value])
	scalar(value)
	not kept(shape(path), value)
}

mask contains {"op": "upsert", "path": pointer("/result", path), "value": summary(value)} if {
	not input.path in kept_results
	walk(input.result, [path, value])
	scalar(value)
}

kept(shape, value) if kept_fields[shape] == type_name(value)

kept(shape, value) if {
	kept_fields[shape] == "timestamp"
	is_string(value)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$`, value)
}

kept(shape, value) if {
	kept_fields[shape] == "digest"
	is_string(value)
	regex.match(`^[a-z0-9]+:[0-9a-f]{32,128}$`, value)
}

# Evaluation scores: any metric name, numbers only.
kept(shape, value) if {
	under(input.path, "ai/deployment")
	startswith(shape, "/model/evaluation/metrics/")
	count(split(shape, "/")) == 5
	is_number(value)
}

# A summary says what kind of value was there, never which.
summary(value) := {"type": "string", "length": count(value)} if {
	is_string(value)
} else := {"type": type_name(value)}

# The JSON pointer of a walk path under root, and its shape (every array index "~").
pointer(root, path) := concat("/", array.concat([root], [pointer_segment(key) | some key in path]))

shape(path) := concat("/", array.concat([""], [shape_segment(key) | some key in path]))

# RFC 6901: "~" and "/" in a key are escaped.
pointer_segment(key) := format_int(key, 10) if {
	is_number(key)
} else := replace(replace(key, "~", "~0"), "/", "~1")

shape_segment(key) := "~" if is_number(key)

shape_segment(key) := pointer_segment(key) if is_string(key)

# Objects and arrays are walked into: only their scalars are summarized, so every key stays. An
# empty object or array holds no value and is logged as it is.
scalar(x) if {
	not is_object(x)
	not is_array(x)
}

under(path, root) if path == root

under(path, root) if startswith(path, concat("", [root, "/"]))
