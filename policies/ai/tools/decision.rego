# Agent tool-call authorization: the decision document at data.ai.tools.decision.
#
# Question answered: "may this agent, acting for this user, call this tool with these arguments
# right now?" Default deny: the call is allowed only when it is catalogued for the agent and no
# control reports a violation. Obligations (human approval, redaction) must be fulfilled by the
# agent runtime before the call is executed; a runtime that cannot fulfil one must not call.
# Tool-call decisions do not read the clock, so they carry no valid_until.
package ai.tools

import data.ai.lib

reasons := lib.sorted_reasons(violations)

default allow := false

allow := count(reasons) == 0

obligations := sort(obligations_set)

decision := {
	"allow": allow,
	"reasons": reasons,
	"obligations": obligations,
	"exceptions_applied": [],
}

# Fail closed if the decision cannot be built at all (for example, configuration missing).
default decision := {
	"allow": false,
	"reasons": [{
		"code": "POLICY_ERROR",
		"control": "AGT-POLICY",
		"message": "the tool-call decision could not be evaluated; check the policy bundle configuration",
	}],
	"obligations": [],
	"exceptions_applied": [],
}

# The configuration sections every control relies on. A bundle shipped without one of them must
# deny everything, not quietly skip the control that reads it.
# (a positive function, negated: OPA evaluates `cfg[section]` before a negated call, so
# `not is_object(cfg[section])` would be undefined, not true, for a missing section)
config_section_present(section) if is_object(cfg[section])

required_config_sections := ["request", "catalog", "trust", "email", "payments", "files", "sql", "injection", "pii"]

violations contains {"control": "AGT-POLICY", "code": "POLICY_ERROR", "message": message} if {
	some section in required_config_sections
	not config_section_present(section)
	message := sprintf("policy bundle configuration data.ai.tools.config.%s is missing", [section])
}
