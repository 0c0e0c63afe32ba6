# AIGOV-META-01 — required registry metadata.
#
# Why: a model nobody owns, with no stated purpose, data classification, retention period or
# evaluation evidence cannot be audited, and the other controls (residency, evaluation, approvals)
# have nothing to work from. The gate refuses such models in every environment, dev included:
# registry hygiene is cheapest at the first deployment.
package ai.deployment

import data.ai.lib

# Names (as listed in config/metadata) of required fields that are missing or invalid.
missing_metadata contains spec.field if {
	some spec in cfg.metadata.required
	not metadata_field_valid(spec)
}

metadata_field_valid(spec) if {
	value := field_at(model, spec.path)
	metadata_value_valid(spec.kind, value)
}

# field_at(doc, path) reads a one- or two-segment path.
field_at(doc, path) := doc[path[0]] if count(path) == 1

field_at(doc, path) := doc[path[0]][path[1]] if count(path) == 2

metadata_value_valid("text", value) if lib.non_empty_string(value)

metadata_value_valid("https_url", value) if {
	is_string(value)
	startswith(value, "https://")
	count(value) > count("https://")
}

metadata_value_valid("positive_number", value) if {
	is_number(value)
	value > 0
}

metadata_value_valid("classification", value) if value in cfg.residency.classifications

metadata_value_valid("risk_tier", value) if value in known_risk_tiers

violations contains {"control": "AIGOV-META-01", "code": "MISSING_METADATA", "message": message} if {
	count(missing_metadata) > 0
	message := sprintf("registry metadata missing or invalid: %s", [lib.list_text(missing_metadata)])
}
