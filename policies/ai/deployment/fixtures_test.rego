# Test fixtures for the model-deployment gate: a request that passes every control, and helpers
# to evaluate variants of it at a fixed "now".
package ai.deployment.fixtures_test

import data.ai.lib.patch_test.patched

# "Now" for every deployment test: 2026-11-26T12:00:00Z.
now_ns := 1795694400000000000

digest := "sha256:9f2c1e0b7d4a8c6e5f3b2a1908d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2918070"

# A tier-1, customer-facing production release of fraud-scorer 3.2.0 that meets every control.
base_request := {
	"model": {
		"name": "fraud-scorer",
		"version": "3.2.0",
		"registry": "registry.internal/models",
		"artifact": {
			"uri": concat("", ["registry.internal/models/fraud-scorer@", digest]),
			"digest": digest,
			"signed": true,
		},
		"license": "apache-2.0",
		"owner": "team-risk",
		"risk_tier": 1,
		"data_classification": "confidential",
		"intended_use": "score card transactions for fraud review; a human analyst decides",
		"retention_days": 365,
		"evaluation": {
			"evidence_url": "https://evals.internal/runs/fraud-scorer/3.2.0",
			"model_version": "3.2.0",
			"completed_at": "2026-11-20T10:00:00Z",
			"metrics": {
				"safety": 0.98,
				"toxicity": 0.01,
				"jailbreak_resistance": 0.95,
				"hallucination_rate": 0.03,
				"fairness_gap": 0.02,
			},
		},
	},
	"deployment": {
		"environment": "prod",
		"exposure": "customer_facing",
		"region": "eu-west-1",
		"cluster": "prod-eu-west-1a",
		"namespace": "risk-scoring",
	},
	"requester": {"id": "u-1", "roles": ["ml-engineer"]},
	"approvals": [
		{"role": "responsible-ai", "approver_id": "u-9", "approved_at": "2026-11-24T09:00:00Z"},
		{"role": "security", "approver_id": "u-12", "approved_at": "2026-11-24T15:30:00Z"},
	],
}

# The base request with a patch deep-merged in (see data.ai.lib.patch_test).
request(patch) := patched(base_request, patch)

# A patch that makes only the metrics differ.
with_metrics(metrics) := request({"model": {"evaluation": {"metrics": metrics}}})

decide(req) := decision if {
	decision := data.ai.deployment.decision with input as req with time.now_ns as now_ns
}

decide_at(req, at) := decision if {
	decision := data.ai.deployment.decision with input as req with time.now_ns as at
}

# decision for the request with `entries` as the only exceptions on file
decide_with_exceptions(req, entries, at) := decision if {
	decision := data.ai.deployment.decision with input as req with time.now_ns as at with data.ai.deployment.config.exceptions.entries as entries
}

# [control, code] pairs of a decision's reasons
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

# All reason messages of one control, joined, for substring checks.
messages(decision, control) := concat(" | ", [reason.message | some reason in decision.reasons; reason.control == control])

ns(timestamp) := time.parse_rfc3339_ns(timestamp)

days_ns(days) := ((days * 24) * 3600) * 1000000000

# The base request with two patches applied in turn.
patched_twice(first, second) := patched(patched(base_request, first), second)
