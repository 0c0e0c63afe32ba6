# AIGOV-EXC-01 — time-boxed exceptions.
#
# Why: governance has to be able to say "yes, for now" without editing policy: a model that
# misses one control can ship under an exception the governance board approved, with named
# compensating controls, for a fixed period. Exceptions live in config/exceptions as data:
#
#   {"id": "EXC-2026-014", "control": "AIGOV-EVAL-02",
#    "scope": {"model": "churn-predictor",
#              "version": "2.3.1"                          -- exact version, or
#              "version_range": {"gte": "2.0.0", "lt": "3.0.0"},   -- semver bounds (gt/gte/lt/lte)
#              "environments": ["prod"]},                  -- optional; all environments if absent
#    "approver": "u-42", "compensating_controls": ["..."], "expires_at": "2031-06-30T00:00:00Z"}
#
# An exception waives every denial of its control for the models in its scope until expires_at
# (exclusive). Expired and malformed exceptions waive nothing; an expired one is named in the
# denial so the owner knows to renew it. Some controls cannot be waived at some risk tiers
# (config/exceptions non_waivable): an exception for them is refused and the denial says
# NON_WAIVABLE. Every exception that waived a denial is listed in the decision's
# exceptions_applied, with an obligation to keep its compensating controls in place.
package ai.deployment

import data.ai.lib

exception_entries := cfg.exceptions.entries if {
	is_array(cfg.exceptions.entries)
} else := []

# --- Which exceptions concern this request ---------------------------------------------------

exception_well_formed(exception) if {
	lib.non_empty_string(exception.id)
	lib.non_empty_string(exception.control)
	lib.non_empty_string(exception.approver)
	is_array(exception.compensating_controls)
	count(exception.compensating_controls) > 0
	lib.parse_instant(exception.expires_at)
	lib.non_empty_string(exception.scope.model)
}

exception_in_scope(exception) if {
	exception.scope.model == model.name
	exception_version_in_scope(exception.scope)
	exception_environment_in_scope(exception.scope)
}

exception_version_in_scope(scope) if {
	is_string(scope.version)
	scope.version == model.version
}

exception_version_in_scope(scope) if {
	not scope.version
	range := scope.version_range
	is_object(range)
	count(range) > 0
	is_string(model.version)
	semver.is_valid(model.version)
	every bound_name, bound in range {
		version_within_bound(bound_name, model.version, bound)
	}
}

version_within_bound("gte", version, bound) if semver.compare(version, bound) >= 0

version_within_bound("gt", version, bound) if semver.compare(version, bound) > 0

version_within_bound("lte", version, bound) if semver.compare(version, bound) <= 0

version_within_bound("lt", version, bound) if semver.compare(version, bound) < 0

exception_environment_in_scope(scope) if not "environments" in object.keys(scope)

exception_environment_in_scope(scope) if environment in scope.environments

exception_expires_ns(exception) := lib.parse_instant(exception.expires_at)

exception_expired(exception) if lib.now_ns >= exception_expires_ns(exception)

# Exceptions in scope for this model and target, split by whether they are still in force.
exceptions_in_force contains exception if {
	some exception in exception_entries
	exception_well_formed(exception)
	exception_in_scope(exception)
	not exception_expired(exception)
}

exceptions_expired contains exception if {
	some exception in exception_entries
	exception_well_formed(exception)
	exception_in_scope(exception)
	exception_expired(exception)
}

# --- Waivability -----------------------------------------------------------------------------

non_waivable(control) if {
	some rule in cfg.exceptions.non_waivable
	rule.control == control
	risk_tier in rule.risk_tiers
}

# A request that is not a model-deployment request is never waived, whatever the configuration
# says: an exception cannot stand in for the request it would be scoped to.
non_waivable(control) if control == "AIGOV-REQ-01"

non_waivable_note(control) := sprintf(" [NON_WAIVABLE: %s cannot be waived by an exception at risk tier %v]", [control, risk_tier]) if {
	non_waivable(control)
} else := ""

# --- Applying exceptions to the violations found ---------------------------------------------

violated_controls := {violation.control | some violation in violations}

exceptions_applied_set contains exception if {
	some exception in exceptions_in_force
	exception.control in violated_controls
	not non_waivable(exception.control)
}

exceptions_refused contains exception if {
	some exception in exceptions_in_force
	exception.control in violated_controls
	non_waivable(exception.control)
}

waived_controls := {exception.control | some exception in exceptions_applied_set}

# Extra text for a denial whose control has expired or refused exceptions.
exception_notes(control) := concat("", [expired_note(control), refused_note(control)])

expired_note(control) := sprintf("; exception %s expired", [lib.list_text(ids)]) if {
	ids := {exception.id | some exception in exceptions_expired; exception.control == control}
	count(ids) > 0
} else := ""

refused_note(control) := sprintf("; exception %s not applied (NON_WAIVABLE)", [lib.list_text(ids)]) if {
	ids := {exception.id | some exception in exceptions_refused; exception.control == control}
	count(ids) > 0
} else := ""

# The instant each waived control's denial comes back: when its last applied exception expires.
waiver_ends_ns contains ends if {
	some control in waived_controls
	ends := max({exception_expires_ns(exception) |
		some exception in exceptions_applied_set
		exception.control == control
	})
}
