# Model-deployment gate: the decision document at data.ai.deployment.decision.
#
# Question answered: "may this model version be deployed to this target?" Every control in this
# package adds to `violations`; exceptions waive some of them; whatever remains is a reason to
# deny. Default deny: the deployment is allowed only when no reason remains, and a request the
# controls cannot make sense of produces reasons, not silence.
package ai.deployment

import data.ai.lib

# Violations that remain after exceptions, with notes about expired or refused exceptions.
remaining_violations contains reason if {
	some violation in violations
	not violation.control in waived_controls
	reason := {
		"control": violation.control,
		"code": violation.code,
		"message": concat("", [violation.message, exception_notes(violation.control)]),
	}
}

# An exception filed against a control it cannot waive is itself reported, so the exception's
# owner learns that it will never apply (AIGOV-EXC-01).
remaining_violations contains reason if {
	some exception in exceptions_refused
	reason := {
		"control": "AIGOV-EXC-01",
		"code": "NON_WAIVABLE",
		"message": sprintf("exception %s cannot waive %s at risk tier %v", [exception.id, exception.control, risk_tier]),
	}
}

reasons := lib.sorted_reasons(remaining_violations)

default allow := false

allow := count(reasons) == 0

exceptions_applied := [entry |
	some exception in lib.sorted_by_key(exceptions_applied_set, "id")
	entry := {
		"id": exception.id,
		"control": exception.control,
		"approver": exception.approver,
		"compensating_controls": exception.compensating_controls,
		"expires_at": exception.expires_at,
	}
]

# An applied exception is only as good as its compensating controls: the deployer must keep them
# in place for as long as the exception is used.
obligations := [obligation |
	some exception in lib.sorted_by_key(exceptions_applied_set, "id")
	obligation := {
		"type": "enforce_compensating_controls",
		"control": exception.control,
		"exception_id": exception.id,
		"compensating_controls": exception.compensating_controls,
		"until": exception.expires_at,
	}
]

# --- valid_until: the earliest instant the outcome could change --------------------------------
#
# The decision depends on the clock through exception expiry and evaluation freshness. The
# service caches a decision no longer than valid_until.

# A waived control's denial comes back.
time_boundaries_ns contains ends if {
	some ends in waiver_ends_ns
}

# A fresh evaluation goes stale.
time_boundaries_ns contains evaluation_stale_at_ns if {
	evaluation_enforced
	evaluation_completed_ns <= lib.now_ns
	lib.now_ns < evaluation_stale_at_ns
}

# An evaluation dated in the future stops being "in the future".
time_boundaries_ns contains evaluation_completed_ns if {
	evaluation_enforced
	evaluation_completed_ns > lib.now_ns
}

valid_until := lib.rfc3339(min(time_boundaries_ns)) if count(time_boundaries_ns) > 0

decision := {
	"allow": allow,
	"reasons": reasons,
	"obligations": obligations,
	"exceptions_applied": exceptions_applied,
	"valid_until": valid_until,
} if {
	valid_until
} else := {
	"allow": allow,
	"reasons": reasons,
	"obligations": obligations,
	"exceptions_applied": exceptions_applied,
}

# Fail closed if the decision cannot be built at all (for example, configuration missing).
default decision := {
	"allow": false,
	"reasons": [{
		"code": "POLICY_ERROR",
		"control": "AIGOV-POLICY",
		"message": "the model-deployment decision could not be evaluated; check the policy bundle configuration",
	}],
	"obligations": [],
	"exceptions_applied": [],
}

# The configuration sections every control relies on. A bundle shipped without one of them must
# deny everything, not quietly skip the control that reads it.
# (a positive function, negated: OPA evaluates `cfg[section]` before a negated call, so
# `not is_object(cfg[section])` would be undefined, not true, for a missing section)
config_section_present(section) if is_object(cfg[section])

required_config_sections := ["request", "metadata", "targets", "registries", "supply_chain", "licenses", "evaluation", "approvals", "residency", "exceptions"]

violations contains {"control": "AIGOV-POLICY", "code": "POLICY_ERROR", "message": message} if {
	some section in required_config_sections
	not config_section_present(section)
	message := sprintf("policy bundle configuration data.ai.deployment.config.%s is missing", [section])
}
