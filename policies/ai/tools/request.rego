# Agent tool-call authorization: normalized views of the request.
#
# The request (input) is described in policies/README.md. Controls read the views below, never
# `input` directly, so a missing or mistyped section makes checks fail (deny), never vanish —
# also when there is no input at all or it is not an object (`lib.request` is then {}; AGT-REQ-01
# in request_shape.rego says why).
package ai.tools

import data.ai.lib

# Bundle configuration for this domain: policies/ai/tools/config/<concern>/data.json.
cfg := data.ai.tools.config

agent := lib.object_or_empty(lib.request, "agent")

user := lib.object_or_empty(lib.request, "user")

session := lib.object_or_empty(lib.request, "session")

tool := lib.object_or_empty(lib.request, "tool")

arguments := lib.object_or_empty(lib.request, "arguments")

signals := lib.object_or_empty(lib.request, "signals")

tool_name := lib.string_or_null(tool, "name")

tool_server := lib.string_or_null(tool, "server")

user_roles := {role | some role in lib.array_or_empty(user, "roles"); is_string(role)}

# The catalog entry for the requested tool, defined only when the tool is catalogued *and* comes
# from its catalogued server. Every control that needs tool settings starts from it, so an
# uncatalogued tool is denied by AGT-CAT-01 alone.
tool_entry := entry if {
	entry := cfg.catalog.tools[tool_name]
	entry.server == tool_server
}

# Catalog flags; a missing flag counts as the risky value.
side_effecting_tool if {
	tool_entry
	not lib.is_false(tool_entry, "side_effecting")
}

external_tool if {
	tool_entry
	not lib.is_false(tool_entry, "external")
}

user_holds_any(roles) if {
	some role in roles
	role in user_roles
}

# Reason messages quote raw request values only for a concern whose configuration says so
# (`echo_request_values: true` in config/<concern>/data.json; off by default). Otherwise a value
# is named only when the configuration lists it (lib.named), or described (a recipient by its
# domain, a path by the allowed root it lies under). True or false, never undefined: a message
# that cannot be built would drop its violation.
echo_request_values(concern) := true if {
	cfg[concern].echo_request_values == true
} else := false
