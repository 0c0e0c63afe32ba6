# AIGOV-REG-01 — approved model registries.
#
# Why: approved registries are where models are scanned, versioned and access-controlled. A model
# pulled from anywhere else bypasses that chain of custody. Both the declared registry and the
# artifact's actual location are checked, so a request cannot name an approved registry while
# pointing the artifact elsewhere.
package ai.deployment

import data.ai.lib

# (positive, then negated: with the approved list missing, the registry is not approved)
approved_registry(registry) if registry in cfg.registries.approved

violations contains {"control": "AIGOV-REG-01", "code": "UNAPPROVED_REGISTRY", "message": message} if {
	registry := lib.string_or_null(model, "registry")
	not approved_registry(registry)
	message := sprintf("model registry %s is not an approved registry (approved: %s)", [
		lib.display(registry),
		lib.list_text(cfg.registries.approved),
	])
}

violations contains {"control": "AIGOV-REG-01", "code": "UNAPPROVED_REGISTRY", "message": message} if {
	uri := artifact.uri
	is_string(uri)
	not artifact_in_approved_registry(uri)
	message := sprintf("artifact %s is not stored in an approved registry", [artifact_label(uri)])
}

# The artifact URI as a message shows it: without credentials ("user:token@"), query string or
# fragment — where signed URLs carry their tokens — unless config/registries echoes request values.
artifact_label(uri) := uri if {
	cfg.registries.echo_request_values == true
} else := concat("", [uri_scheme(uri), host, path]) if {
	location := split(split(without_scheme(uri), "?")[0], "#")[0]
	authority := split(location, "/")[0]
	host_parts := split(authority, "@")
	host := host_parts[count(host_parts) - 1]
	path := substring(location, count(authority), -1)
}

uri_scheme(uri) := concat("", [split(uri, "://")[0], "://"]) if {
	contains(uri, "://")
} else := ""

artifact_in_approved_registry(uri) if {
	some registry in cfg.registries.approved
	startswith(without_scheme(uri), concat("", [registry, "/"]))
}

# "oci://registry.internal/models/x" → "registry.internal/models/x"
without_scheme(uri) := parts[count(parts) - 1] if {
	parts := split(uri, "://")
}
