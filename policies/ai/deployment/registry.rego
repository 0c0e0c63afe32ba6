# AIGOV-REG-01 — approved model registries.
#
# Why: approved registries are where models are scanned, versioned and access-controlled. A model
# pulled from anywhere else bypasses that chain of custody. Both the declared registry and the
# artifact's actual location are checked, so a request cannot name an approved registry while
# pointing the artifact elsewhere.
package ai.deployment

import data.ai.lib

violations contains {"control": "AIGOV-REG-01", "code": "UNAPPROVED_REGISTRY", "message": message} if {
	registry := lib.string_or_null(model, "registry")
	not registry in cfg.registries.approved
	message := sprintf("model registry %s is not an approved registry (approved: %s)", [
		lib.display(registry),
		lib.list_text(cfg.registries.approved),
	])
}

violations contains {"control": "AIGOV-REG-01", "code": "UNAPPROVED_REGISTRY", "message": message} if {
	uri := artifact.uri
	is_string(uri)
	not artifact_in_approved_registry(uri)
	message := sprintf("artifact %s is not stored in an approved registry", [uri])
}

artifact_in_approved_registry(uri) if {
	some registry in cfg.registries.approved
	startswith(without_scheme(uri), concat("", [registry, "/"]))
}

# "oci://registry.internal/models/x" → "registry.internal/models/x"
without_scheme(uri) := parts[count(parts) - 1] if {
	parts := split(uri, "://")
}
