# AIGOV-LIC-01 — license allow-list per exposure.
#
# Why: model licenses carry use restrictions (field of use, user caps, attribution, no
# commercial use). Legal has cleared a short list per exposure; anything else needs a legal
# review first. Customer-facing and partner exposure are stricter than internal use.
package ai.deployment

import data.ai.lib

allowed_licenses := cfg.licenses.allowed_by_exposure[exposure] if {
	is_array(cfg.licenses.allowed_by_exposure[exposure])
} else := []

normalized_license := lower(trim_space(model.license)) if is_string(model.license)

license_allowed if normalized_license in allowed_licenses

violations contains {"control": "AIGOV-LIC-01", "code": "LICENSE_NOT_ALLOWED", "message": message} if {
	not license_allowed
	message := sprintf("license %s is not allowed for %s exposure (allowed: %s)", [
		lib.display(lib.string_or_null(model, "license")),
		lib.display(exposure),
		license_list_text,
	])
}

license_list_text := lib.list_text(allowed_licenses) if {
	count(allowed_licenses) > 0
} else := "none"
