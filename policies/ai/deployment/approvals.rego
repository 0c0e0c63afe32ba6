# AIGOV-APPR-01 — independent sign-off for high-risk releases.
#
# Why: a tier-1 model in production affects customers directly. Before it ships, Responsible AI
# and Security must each sign off, and segregation of duties applies: the person asking for the
# deployment cannot approve it, and one person cannot fill both roles. Which roles are required
# for which tier and environment lives in config/approvals.
package ai.deployment

import data.ai.lib

# Requirements that apply to this deployment's effective risk tier and environment.
applicable_approval_requirements contains requirement if {
	some requirement in cfg.approvals.requirements
	risk_tier in requirement.risk_tiers
	environment in requirement.environments
}

required_approval_roles := {role |
	some requirement in applicable_approval_requirements
	some role in requirement.roles
}

requester_id := lib.string_or_null(requester, "id")

approvals := [approval | some approval in lib.array_or_empty(lib.request, "approvals"); is_object(approval)]

# independent_approval(approval, role): a sign-off for `role` by an identified person who is not
# the requester.
independent_approval(approval, role) if {
	approval.role == role
	lib.non_empty_string(approval.approver_id)
	approval.approver_id != requester_id
}

missing_approval_roles contains role if {
	some role in required_approval_roles
	not role_approved(role)
}

role_approved(role) if {
	some approval in approvals
	independent_approval(approval, role)
}

independent_approvers := {approval.approver_id |
	some approval in approvals
	some role in required_approval_roles
	independent_approval(approval, role)
}

self_approved_roles := {approval.role |
	some approval in approvals
	approval.role in required_approval_roles
	approval.approver_id == requester_id
}

self_approval_note := sprintf(" (approvals by the requester do not count: %s)", [lib.list_text(self_approved_roles)]) if {
	count(self_approved_roles) > 0
} else := ""

violations contains {"control": "AIGOV-APPR-01", "code": "MISSING_APPROVAL", "message": message} if {
	count(missing_approval_roles) > 0
	message := sprintf("risk tier %v %s deployment needs approval from: %s%s", [
		risk_tier,
		environment_label,
		lib.list_text(missing_approval_roles),
		self_approval_note,
	])
}

# With every role approved, the approvals must still come from as many distinct people as there
# are roles. (Exact for two required roles; for more roles it is a necessary condition.)
violations contains {"control": "AIGOV-APPR-01", "code": "MISSING_APPROVAL", "message": message} if {
	count(required_approval_roles) > 0
	count(missing_approval_roles) == 0
	count(independent_approvers) < count(required_approval_roles)
	message := sprintf("approvals for %s must come from %v different people", [
		lib.list_text(required_approval_roles),
		count(required_approval_roles),
	])
}

# Without a requester id, independence cannot be checked.
violations contains {"control": "AIGOV-APPR-01", "code": "MISSING_APPROVAL", "message": message} if {
	count(required_approval_roles) > 0
	not lib.non_empty_string(requester_id)
	message := "requester.id is required to verify that approvals are independent of the requester"
}
