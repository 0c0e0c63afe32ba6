# AGT-CAT-01, AGT-ROLE-01, AGT-TRUST-01 — who may call which tool, where.
#
# Why: an agent should only ever reach tools someone deliberately gave it. The tool catalog
# (config/catalog) is the allow-list: a tool that is not in it, or that arrives from a different
# tool server than the catalogued one (tool-name shadowing by a rogue MCP server), is unknown.
# A known tool is still limited to the agents and environments listed for it (CAT-01), to users
# holding one of its roles — the agent acts on the user's behalf and must not exceed the user's
# authority (ROLE-01) — and to agents whose trust level is high enough (TRUST-01).
package ai.tools

import data.ai.lib

# --- AGT-CAT-01 --------------------------------------------------------------------------------

violations contains {"control": "AGT-CAT-01", "code": "UNKNOWN_TOOL", "message": message} if {
	not cfg.catalog.tools[tool_name]
	message := sprintf("tool %s is not in the tool catalog", [lib.display(tool_name)])
}

violations contains {"control": "AGT-CAT-01", "code": "UNKNOWN_TOOL", "message": message} if {
	entry := cfg.catalog.tools[tool_name]
	not entry.server == tool_server
	message := sprintf("tool %s is catalogued for server %s, not %s", [
		tool_name,
		lib.display(entry.server),
		lib.display(tool_server),
	])
}

violations contains {"control": "AGT-CAT-01", "code": "TOOL_NOT_ALLOWED", "message": message} if {
	tool_entry
	agent_id := lib.string_or_null(agent, "id")
	not agent_id in lib.array_or_empty(tool_entry, "agents")
	message := sprintf("agent %s may not use tool %s", [lib.display(agent_id), tool_name])
}

violations contains {"control": "AGT-CAT-01", "code": "TOOL_NOT_ALLOWED", "message": message} if {
	tool_entry
	environment := lib.string_or_null(agent, "environment")
	not environment in lib.array_or_empty(tool_entry, "environments")
	message := sprintf("tool %s is not enabled in environment %s", [tool_name, lib.display(environment)])
}

# --- AGT-ROLE-01 -------------------------------------------------------------------------------

violations contains {"control": "AGT-ROLE-01", "code": "ROLE_NOT_PERMITTED", "message": message} if {
	required := tool_entry.required_roles
	is_array(required)
	count(required) > 0
	not user_holds_any(required)
	message := sprintf("user %s holds none of the roles tool %s requires (%s)", [
		lib.display(lib.string_or_null(user, "id")),
		tool_name,
		lib.list_text(required),
	])
}

# A catalog entry without a role list is a configuration error: deny rather than guess.
violations contains {"control": "AGT-ROLE-01", "code": "ROLE_NOT_PERMITTED", "message": message} if {
	tool_entry
	not is_array(tool_entry.required_roles)
	message := sprintf("catalog entry for tool %s declares no required_roles", [tool_name])
}

# --- AGT-TRUST-01 ------------------------------------------------------------------------------

trust_rank(level) := rank if {
	rank := cfg.trust.levels[level]
} else := 0

agent_trust_rank := trust_rank(lib.string_or_null(agent, "trust_level"))

# A tool without a (known) minimum requires the highest level.
required_trust_rank := rank if {
	rank := cfg.trust.levels[tool_entry.min_trust_level]
} else := max({rank | some rank in cfg.trust.levels})

violations contains {"control": "AGT-TRUST-01", "code": "TRUST_TOO_LOW", "message": message} if {
	tool_entry
	agent_trust_rank < required_trust_rank
	message := sprintf("agent trust level %s is below the %s level tool %s requires", [
		lib.display(lib.string_or_null(agent, "trust_level")),
		lib.display(lib.string_or_null(tool_entry, "min_trust_level")),
		tool_name,
	])
}
