# A small RBAC policy (~10 rules) used by the evaluation benchmark.
package bench.rbac

import rego.v1

default allow := false

allow if {
	not user_is_suspended
	some grant in user_grants
	grant.action == input.action
	grant.resource == input.resource.type
}

allow if user_is_admin

user_is_admin if "admin" in data.bench.users[input.user].roles

user_is_suspended if data.bench.users[input.user].suspended == true

user_grants contains grant if {
	some role in data.bench.users[input.user].roles
	some grant in data.bench.role_grants[role]
}

deny contains msg if {
	not allow
	msg := sprintf("%s may not %s %s", [input.user, input.action, input.resource.type])
}

decision := {"allow": allow, "reasons": deny}
