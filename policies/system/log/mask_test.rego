# Tests of the decision-log mask (mask.rego): request values are summarized at any depth, names
# and the listed fields are kept, decision documents are kept and other results summarized.
package system.log.mask_test

import data.system.log.mask

tool_record := {
	"decision_id": "d-1",
	"path": "ai/tools/decision",
	"kind": "tool-call",
	"input": {
		"agent": {"id": "support-bot", "trust_level": "medium", "environment": "prod"},
		"user": {"id": "bob@private.example", "roles": ["support", "sales"]},
		"session": {"id": "s-secret-1", "untrusted_content_seen": false, "sensitive_data_accessed": true},
		"tool": {"name": "send_email", "server": "mail"},
		"arguments": {
			"password": "Hunter2",
			"to": ["bob@private.example"],
			"amount": 12.5,
			"confirm": true,
			"note": null,
			"a": {"b": {"c": {"d": {"e": {"card": "4111111111111111"}}}}},
		},
		"signals": {"prompt_injection_score": 0.2},
		"context": {"headers": {"cookie": "sid=abc"}},
	},
	"result": {"allow": false, "reasons": [{"code": "X", "control": "C", "message": "m"}], "obligations": [], "exceptions_applied": []},
}

upsert(path, value) := {"op": "upsert", "path": path, "value": value}

masked_paths(rules) := {r.path | some r in rules}

test_argument_values_are_summarized_names_kept if {
	rules := mask with input as tool_record
	upsert("/input/arguments/password", {"type": "string", "length": 7}) in rules
	upsert("/input/arguments/to/0", {"type": "string", "length": 19}) in rules
	upsert("/input/arguments/amount", {"type": "number"}) in rules
	upsert("/input/arguments/confirm", {"type": "boolean"}) in rules
	upsert("/input/arguments/note", {"type": "null"}) in rules
}

test_values_at_depth_six_are_summarized if {
	rules := mask with input as tool_record
	upsert("/input/arguments/a/b/c/d/e/card", {"type": "string", "length": 16}) in rules
}

test_people_sessions_and_extra_fields_are_summarized if {
	paths := masked_paths(mask) with input as tool_record
	"/input/user/id" in paths
	"/input/session/id" in paths
	"/input/context/headers/cookie" in paths
}

test_identifiers_flags_roles_and_scores_are_kept if {
	paths := masked_paths(mask) with input as tool_record
	kept := {
		"/input/agent/id", "/input/agent/trust_level", "/input/agent/environment",
		"/input/user/roles/0", "/input/user/roles/1",
		"/input/session/untrusted_content_seen", "/input/session/sensitive_data_accessed",
		"/input/tool/name", "/input/tool/server", "/input/signals/prompt_injection_score",
	}
	count(paths & kept) == 0
}

test_every_other_value_is_summarized if {
	paths := masked_paths(mask) with input as tool_record
	paths == {
		"/input/arguments/password", "/input/arguments/to/0", "/input/arguments/amount",
		"/input/arguments/confirm", "/input/arguments/note", "/input/arguments/a/b/c/d/e/card",
		"/input/user/id", "/input/session/id", "/input/context/headers/cookie",
	}
}

test_the_decision_document_is_kept if {
	rules := mask with input as tool_record
	every r in rules {
		startswith(r.path, "/input/")
	}
}

test_a_kept_field_of_another_type_is_summarized if {
	rec := json.patch(tool_record, [
		{"op": "replace", "path": "/input/agent/id", "value": {"nested": "secret"}},
		{"op": "replace", "path": "/input/tool/name", "value": 42},
		{"op": "replace", "path": "/input/user/roles", "value": {"0": "secret"}},
	])
	paths := masked_paths(mask) with input as rec
	"/input/agent/id/nested" in paths
	"/input/tool/name" in paths
	"/input/user/roles/0" in paths
}

test_keys_are_escaped_and_cannot_pass_for_kept_paths if {
	rec := {"path": "ai/tools/decision", "input": {"agent/id": "x", "arguments": {"a~b": "y", "c/d": {"e": "z"}}}}
	paths := masked_paths(mask) with input as rec
	paths == {"/input/agent~1id", "/input/arguments/a~0b", "/input/arguments/c~1d/e"}
}

test_a_scalar_input_is_summarized_whole if {
	mask == {upsert("/input", {"type": "string", "length": 7})} with input as {"path": "ai/tools/decision", "input": "Hunter2"}
}

test_no_input_nothing_to_mask if {
	count(mask) == 0 with input as {"path": "ai/tools/decision", "result": {"allow": false}}
}

test_unknown_paths_keep_nothing if {
	rec := {"path": "other/doc", "input": {"agent": {"id": "support-bot"}, "tool": {"name": "t"}}}
	masked_paths(mask) == {"/input/agent/id", "/input/tool/name"} with input as rec
}

test_results_of_other_documents_are_summarized if {
	rec := {"path": "ai/tools/arguments", "input": {"arguments": {"password": "Hunter2"}}, "result": {"password": "Hunter2", "list": [true]}}
	rules := mask with input as rec
	upsert("/result/password", {"type": "string", "length": 7}) in rules
	upsert("/result/list/0", {"type": "boolean"}) in rules
	upsert("/input/arguments/password", {"type": "string", "length": 7}) in rules
}

test_boolean_entry_points_are_kept if {
	count(mask) == 0 with input as {"path": "ai/deployment/allow", "result": true}
	count(mask) == 0 with input as {"path": "ai/tools/allow", "result": false}
}

deployment_record := {
	"path": "ai/deployment/decision",
	"input": {
		"model": {
			"name": "fraud-scorer", "version": "3.2.0", "registry": "registry.internal/models",
			"artifact": {"uri": "s3://u:p@bucket/m", "digest": "sha256:0123456789abcdef0123456789abcdef", "signed": true},
			"license": "apache-2.0", "owner": "alice@private.example", "risk_tier": 1,
			"data_classification": "confidential", "intended_use": "free text", "retention_days": 30,
			"evaluation": {
				"evidence_url": "https://e.example/r?token=t", "model_version": "3.2.0",
				"completed_at": "2026-01-01T00:00:00Z", "metrics": {"safety": 0.99, "custom": 0.5},
			},
		},
		"deployment": {"environment": "prod", "exposure": "internal", "region": "eu", "cluster": "c1", "namespace": "ns"},
		"requester": {"id": "u-9", "roles": ["ml-engineer"]},
		"approvals": [{"role": "risk", "approver_id": "u-42", "approved_at": "2026-01-02T00:00:00Z"}],
		"metadata": {"ticket": "secret"},
	},
}

test_deployment_people_urls_and_free_text_are_summarized if {
	masked_paths(mask) == {
		"/input/model/artifact/uri", "/input/model/owner", "/input/model/intended_use",
		"/input/model/evaluation/evidence_url", "/input/requester/id",
		"/input/approvals/0/approver_id", "/input/metadata/ticket",
	} with input as deployment_record
}

test_a_metric_must_be_a_number_to_be_kept if {
	rec := json.patch(deployment_record, [{"op": "add", "path": "/input/model/evaluation/metrics/note", "value": "secret"}])
	"/input/model/evaluation/metrics/note" in masked_paths(mask) with input as rec
}

# No depth limit: a value 40 levels down (the old hand-written traversal stopped at 32 and
# summarized the container there whole) is summarized on its own, every key on its path kept.
deep(n) := json.unmarshal(concat("", [
	concat("", [`{"k":` | some _ in numbers.range(1, n)]),
	`"secret"`,
	concat("", ["}" | some _ in numbers.range(1, n)]),
]))

deep_pointer(n) := concat("", ["/input/arguments", concat("", ["/k" | some _ in numbers.range(1, n)])])

test_a_value_at_depth_forty_is_summarized_alone_with_its_key_path if {
	rules := mask with input as {"path": "ai/tools/decision", "input": {"arguments": deep(40)}}
	rules == {upsert(deep_pointer(40), {"type": "string", "length": 6})}
}

test_a_value_at_depth_thirty_one_is_summarized_alone if {
	rules := mask with input as {"path": "ai/tools/decision", "input": {"arguments": deep(31)}}
	rules == {upsert(deep_pointer(31), {"type": "string", "length": 6})}
}

# Kept fields are recognized at their shape however deep the request nests elsewhere.
test_kept_fields_beside_deep_arguments if {
	rec := json.patch(tool_record, [{"op": "replace", "path": "/input/arguments", "value": deep(40)}])
	paths := masked_paths(mask) with input as rec
	paths == {deep_pointer(40), "/input/user/id", "/input/session/id", "/input/context/headers/cookie"}
}

# An empty object or array holds no value: nothing to summarize, its key is kept.
test_empty_containers_are_left_as_they_are if {
	rec := {"path": "ai/tools/decision", "input": {"arguments": {"opts": {}, "list": [], "x": [[], {"y": {}}]}}}
	count(mask) == 0 with input as rec
}

test_timestamps_and_digests_are_kept_only_in_their_form if {
	rec := json.patch(deployment_record, [
		{"op": "replace", "path": "/input/approvals/0/approved_at", "value": "078-05-1120"},
		{"op": "replace", "path": "/input/model/evaluation/completed_at", "value": "2026-01-01 by bob"},
		{"op": "replace", "path": "/input/model/artifact/digest", "value": "sk_live_abc"},
	])
	paths := masked_paths(mask) with input as rec
	"/input/approvals/0/approved_at" in paths
	"/input/model/evaluation/completed_at" in paths
	"/input/model/artifact/digest" in paths
	kept := masked_paths(mask) with input as json.patch(deployment_record, [{"op": "replace", "path": "/input/model/artifact/digest", "value": concat("", ["sha256:", concat("", ["ab" | some _ in numbers.range(1, 32)])])}])
	not "/input/model/artifact/digest" in kept
	not "/input/approvals/0/approved_at" in kept
}
