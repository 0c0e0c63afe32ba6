package ai.deployment.approvals_test

import data.ai.deployment.fixtures_test as fx
import data.ai.lib.patch_test.absent

responsible_ai(by) := {"role": "responsible-ai", "approver_id": by, "approved_at": "2026-11-24T09:00:00Z"}

security(by) := {"role": "security", "approver_id": by, "approved_at": "2026-11-24T15:30:00Z"}

test_tier1_prod_without_approvals_is_denied if {
	d := fx.decide(fx.request({"approvals": []}))
	fx.denied_by(d, "AIGOV-APPR-01", "MISSING_APPROVAL")
	fx.messages(d, "AIGOV-APPR-01") == "risk tier 1 prod deployment needs approval from: responsible-ai, security"
}

test_missing_approvals_field_is_denied if {
	d := fx.decide(fx.request({"approvals": absent}))
	fx.denied_by(d, "AIGOV-APPR-01", "MISSING_APPROVAL")
}

test_security_approval_alone_is_not_enough if {
	d := fx.decide(fx.request({"approvals": [security("u-12")]}))
	fx.messages(d, "AIGOV-APPR-01") == "risk tier 1 prod deployment needs approval from: responsible-ai"
}

test_requester_cannot_approve_their_own_release if {
	d := fx.decide(fx.request({"approvals": [responsible_ai("u-9"), security("u-1")]}))
	fx.denied_by(d, "AIGOV-APPR-01", "MISSING_APPROVAL")
	fx.messages(d, "AIGOV-APPR-01") == "risk tier 1 prod deployment needs approval from: security (approvals by the requester do not count: security)"
}

test_one_person_cannot_fill_both_roles if {
	d := fx.decide(fx.request({"approvals": [responsible_ai("u-9"), security("u-9")]}))
	fx.denied_by(d, "AIGOV-APPR-01", "MISSING_APPROVAL")
	contains(fx.messages(d, "AIGOV-APPR-01"), "2 different people")
}

test_extra_approvals_do_not_hurt if {
	fx.allowed(fx.decide(fx.request({"approvals": [
		responsible_ai("u-9"), security("u-12"), {"role": "product", "approver_id": "u-1"},
	]})))
}

test_approval_without_approver_id_does_not_count if {
	d := fx.decide(fx.request({"approvals": [responsible_ai("u-9"), {"role": "security"}]}))
	fx.denied_by(d, "AIGOV-APPR-01", "MISSING_APPROVAL")
}

test_requester_id_is_required_for_tier1_prod if {
	d := fx.decide(fx.request({"requester": {"id": absent}}))
	fx.denied_by(d, "AIGOV-APPR-01", "MISSING_APPROVAL")
	contains(fx.messages(d, "AIGOV-APPR-01"), "requester.id")
}

test_tier1_staging_needs_no_approval if {
	fx.allowed(fx.decide(fx.request({"deployment": {"environment": "staging"}, "approvals": []})))
}

test_tier2_prod_needs_no_approval if {
	fx.allowed(fx.decide(fx.request({"deployment": {"exposure": "partner"}, "model": {"risk_tier": 2}, "approvals": []})))
}
