# Test fixtures for agent tool-call authorization: a send_email call that passes every control,
# and builders for calls to the other catalogued tools, each allowed as built.
package ai.tools.fixtures_test

import data.ai.lib.patch_test.absent
import data.ai.lib.patch_test.patched

base_request := {
	"agent": {"id": "support-bot", "trust_level": "medium", "environment": "prod"},
	"user": {"id": "u-17", "roles": ["support"]},
	"session": {"id": "s-1", "untrusted_content_seen": false, "sensitive_data_accessed": false},
	"tool": {"name": "send_email", "server": "mail"},
	"arguments": {
		"to": ["a@example.com"],
		"subject": "Your ticket 4521",
		"body": "Hello, your ticket 4521 has been resolved. Reply to this message if anything is still wrong.",
	},
	"signals": {"prompt_injection_score": 0.1},
}

request(patch) := patched(base_request, patch)

# A call to `name` on `server` with exactly `args`, by the agent and user in `patch`.
call(name, server, args, patch) := patched(
	patched(patched(base_request, {"arguments": absent}), {"tool": {"name": name, "server": server}, "arguments": args}),
	patch,
)

email(args) := call("send_email", "mail", args, {})

refund(amount, currency) := call(
	"issue_refund", "payments",
	{"amount": amount, "currency": currency, "order_id": "ord-88172", "memo": "refund for late delivery"},
	{"agent": {"id": "finance-agent", "trust_level": "high"}, "user": {"id": "u-5", "roles": ["finance"]}},
)

read_file(path) := call(
	"read_file", "files", {"path": path},
	{"agent": {"id": "ops-agent", "trust_level": "low"}, "user": {"id": "u-30", "roles": ["engineer"]}},
)

write_file(path) := call(
	"write_file", "files", {"path": path, "content": "done"},
	{"agent": {"id": "ops-agent", "trust_level": "high"}, "user": {"id": "u-30", "roles": ["engineer"]}},
)

sql(query, roles) := call(
	"run_sql", "warehouse", {"query": query},
	{"agent": {"id": "analytics-agent", "trust_level": "medium"}, "user": {"id": "u-40", "roles": roles}},
)

webhook(payload) := call(
	"post_webhook", "web", {"url": "https://hooks.partner.example.org/orders", "payload": payload},
	{"agent": {"id": "ops-agent", "trust_level": "high", "environment": "staging"}, "user": {"id": "u-30", "roles": ["engineer"]}},
)

ticket(args) := call("create_ticket", "helpdesk", args, {})

decide(req) := decision if {
	decision := data.ai.tools.decision with input as req
}

findings(decision) := {[reason.control, reason.code] | some reason in decision.reasons}

denied_by(decision, control, code) if {
	decision.allow == false
	[control, code] in findings(decision)
}

not_flagged(decision, control) if {
	every reason in decision.reasons {
		reason.control != control
	}
}

allowed(decision) if {
	decision.allow == true
	decision.reasons == []
}

messages(decision, control) := concat(" | ", [reason.message | some reason in decision.reasons; reason.control == control])

obligations_of_type(decision, type) := [o | some o in decision.obligations; o.type == type]
