# Deployment reason messages name models, versions, metrics, environments and registries (not
# personal), but never the people involved nor secrets an artifact URI can carry: a request whose
# requester, approvers and artifact URI carry a marker is denied without it in any message.
package ai.deployment.messages_test

import data.ai.deployment.fixtures_test as fx

test_requester_approvers_and_uri_secrets_are_not_echoed if {
	d := fx.decide(fx.request({
		"requester": {"id": "MARKER.jane@corp.example.com"},
		"approvals": [
			{"role": "responsible-ai", "approver_id": "MARKER.jane@corp.example.com"},
			{"role": "security", "approver_id": "MARKER.jane@corp.example.com"},
		],
		"model": {"artifact": {"uri": "https://MARKER:tok@dl.example.net/m.tar?sig=MARKER#MARKER"}},
	}))
	fx.denied_by(d, "AIGOV-APPR-01", "MISSING_APPROVAL")
	fx.denied_by(d, "AIGOV-REG-01", "UNAPPROVED_REGISTRY")
	not contains(lower(json.marshal([d.reasons, d.obligations])), "marker")
}
