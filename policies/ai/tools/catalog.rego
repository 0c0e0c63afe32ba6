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

# What the catalog lists, so that messages can name those values (and only those) as given.
catalog_servers := {entry.server | some entry in cfg.catalog.tools}

catalog_agents := {agent_id | some entry in cfg.catalog.tools; some agent_id in lib.array_or_empty(entry, "agents")}

catalog_environments := {env | some entry in cfg.catalog.tools; some env in lib.array_or_empty(entry, "environments")}

violations contains {"control": "AGT-CAT-01", "code": "UNKNOWN_TOOL", "message": message} if {
	not cfg.catalog.tools[tool_name]
	message := sprintf("%s is not in the tool catalog", [
		lib.named(echo_request_values("catalog"), "tool", tool_name, set(), "the requested tool"),
	])
}

# (positive, then negated: OPA evaluates `entry.server` before a negated comparison, so a
# catalogue entry without a server would otherwise make this check undefined instead of true)
catalogued_for_request_server(entry) if entry.server == tool_server

violations contains {"control": "AGT-CAT-01", "code": "UNKNOWN_TOOL", "message": message} if {
	entry := cfg.catalog.tools[tool_name]
	not catalogued_for_request_server(entry)
	message := sprintf("tool %s is catalogued for server %s, not %s", [
		tool_name,
		lib.display(entry.server),
		lib.named(echo_request_values("catalog"), "server", tool_server, catalog_servers, "an uncatalogued server"),
	])
}

violations contains {"control": "AGT-CAT-01", "code": "TOOL_NOT_ALLOWED", "message": message} if {
	tool_entry
	agent_id := lib.string_or_null(agent, "id")
	not agent_id in lib.array_or_empty(tool_entry, "agents")
	message := sprintf("%s may not use tool %s", [
		lib.named(echo_request_values("catalog"), "agent", agent_id, catalog_agents, "an unlisted agent"),
		tool_name,
	])
}

violations contains {"control": "AGT-CAT-01", "code": "TOOL_NOT_ALLOWED", "message": message} if {
	tool_entry
	environment := lib.string_or_null(agent, "environment")
	not environment in lib.array_or_empty(tool_entry, "environments")
	message := sprintf("tool %s is not enabled in %s", [
		tool_name,
		lib.named(echo_request_values("catalog"), "environment", environment, catalog_environments, "an unlisted environment"),
	])
}

# --- AGT-ROLE-01 -------------------------------------------------------------------------------

violations contains {"control": "AGT-ROLE-01", "code": "ROLE_NOT_PERMITTED", "message": message} if {
	required := tool_entry.required_roles
	is_array(required)
	count(required) > 0
	not user_holds_any(required)
	message := sprintf("%s holds none of the roles tool %s requires (%s)", [
		user_label,
		tool_name,
		lib.list_text(required),
	])
}

# The user the agent acts for is personal data: named only where the catalog echoes request values.
user_label := lib.named(echo_request_values("catalog"), "user", lib.string_or_null(user, "id"), set(), "the user")

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
	message := sprintf("%s is below the %s level tool %s requires", [
		lib.named(echo_request_values("trust"), "agent trust level", lib.string_or_null(agent, "trust_level"), object.keys(cfg.trust.levels), "an unknown agent trust level"),
		lib.display(lib.string_or_null(tool_entry, "min_trust_level")),
		tool_name,
	])
}
